// Professor application's use cases over a real store: one entry per registered course, applied for
// and canceled with one event each, closed with its course (an application on it canceled too).
#include "systems/course/professor-applyment/application.hpp"

#include "kit/service/use_case_test_support.hpp"

namespace reservo::course::apply {
namespace {

using service::UseCaseTest;

const store::Table<Applyment> kEntries({.collection = "professorApplyments", .unique = {"courseId"}});

class ApplymentsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kEntries.shape().Ensure(db()));
    }
    int64_t Registered(int64_t course) {
        auto tx = Tx();
        EXPECT_TRUE(applyments_.OpenEntry(tx, {course, 1, "국어", "국어과목", "2021-07-01"}));
        return kEntries.FindBy(db(), "courseId", course).value()->id;
    }
    Result<Applyment> ApplyAs(int64_t entry, int64_t professor) {
        auto tx = Tx();
        return applyments_.ApplyFor(tx, entry, {professor, "P01", "000-0000-0001", 40, 15, "TEST"});
    }

    Applyments applyments_{kEntries};
};

TEST_F(ApplymentsTest, ARegisteredCourseGetsOneEntry) {
    int64_t entry = Registered(1);
    Registered(1);  // the same registration again
    EXPECT_EQ(kEntries.Where(db(), "courseId", int64_t{1}).value().size(), 1u);
    EXPECT_EQ(kEntries.Load(db(), entry).value().applyStatus, "Open");
}

TEST_F(ApplymentsTest, ApplyingAndCancelingPublishOnceEach) {
    int64_t entry = Registered(1);
    ASSERT_TRUE(ApplyAs(entry, 201));
    ASSERT_TRUE(ApplyAs(entry, 201));  // a repeat
    ASSERT_EQ(Published<ProfessorApplied>().size(), 1u);
    EXPECT_EQ(Published<ProfessorApplied>()[0].courseId, 1);
    EXPECT_EQ(Published<ProfessorApplied>()[0].applymentId, entry);
    EXPECT_EQ(ApplyAs(entry, 202).error().code, Code::kFailedPrecondition);

    auto tx = Tx();
    ASSERT_TRUE(applyments_.Cancel(tx, entry));
    ASSERT_TRUE(applyments_.Cancel(tx, entry));
    ASSERT_EQ(Published<ApplymentCanceled>().size(), 1u);
    EXPECT_EQ(Published<ApplymentCanceled>()[0].professorNo, 201);
    EXPECT_EQ(Published<ApplymentCanceled>()[0].applyStatus, "ApplyCanceled");
    EXPECT_EQ(applyments_.Cancel(tx, 999).error().code, Code::kNotFound);
}

TEST_F(ApplymentsTest, ACanceledCourseClosesItsEntryAndCancelsTheApplication) {
    int64_t entry = Registered(1);
    ASSERT_TRUE(ApplyAs(entry, 201));
    auto tx = Tx();
    ASSERT_TRUE(applyments_.CloseEntry(tx, {1, 1, "국어"}));
    ASSERT_TRUE(applyments_.CloseEntry(tx, {1, 1, "국어"}));  // redelivered
    ASSERT_EQ(Published<ApplymentCanceled>().size(), 1u);
    EXPECT_EQ(Published<ApplymentCanceled>()[0].applyStatus, "CourseCanceled");
    EXPECT_EQ(ApplyAs(entry, 202).error().code, Code::kFailedPrecondition);

    int64_t open = Registered(2);
    ASSERT_TRUE(applyments_.CloseEntry(tx, {2, 1, "수학"}));  // nobody had applied: nobody to tell
    EXPECT_EQ(Published<ApplymentCanceled>().size(), 1u);
    EXPECT_EQ(kEntries.Load(db(), open).value().applyStatus, "CourseCanceled");
}

TEST_F(ApplymentsTest, TheConfirmedProfessorsEntryIsConfirmed) {
    int64_t entry = Registered(1);
    ASSERT_TRUE(ApplyAs(entry, 201));
    auto tx = Tx();
    ASSERT_TRUE(applyments_.Confirmed(tx, {2, entry, 1, 1, "국어", 201, "P01", "000-0000-0001", 85, true}));
    EXPECT_EQ(kEntries.Load(db(), entry).value().applyStatus, "Confirmed");
    EXPECT_EQ(applyments_.Cancel(tx, entry).error().code, Code::kFailedPrecondition);
}

}  // namespace
}  // namespace reservo::course::apply
