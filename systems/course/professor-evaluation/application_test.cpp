// Professor evaluation's use cases over a real store: an evaluation per application, canceled with
// its application or course, a negative verdict recorded at once, a confirmation published once.
#include "systems/course/professor-evaluation/application.hpp"

#include "kit/service/use_case_test_support.hpp"

namespace reservo::course::eval {
namespace {

using service::UseCaseTest;

const store::Table<Evaluation> kEvaluations({.collection = "professorEvaluations"});

class EvaluationsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kEvaluations.shape().Ensure(db()));
    }
    int64_t Applied(int64_t applyment, int64_t course, int64_t professor = 201) {
        auto tx = Tx();
        EXPECT_TRUE(evaluations_.Open(
            tx, {applyment, course, 1, "국어", professor, "P01", "000-0000-0001", 40, 15, "TEST", "Applied"}));
        return kEvaluations.Where(db(), "applymentId", applyment).value().back().id;
    }
    std::string StatusOf(int64_t id) { return kEvaluations.Load(db(), id).value().evaluationStatus; }

    Evaluations evaluations_{kEvaluations};
};

TEST_F(EvaluationsTest, ANegativeVerdictIsRecordedAPositiveOneWaitsForCourseManagement) {
    int64_t id = Applied(1, 1);
    auto tx = Tx();
    auto negative = evaluations_.ReviewVerdict(tx, id, {false, 40});
    ASSERT_TRUE(negative);
    EXPECT_EQ(negative->decision, Decision::kRecord);
    EXPECT_EQ(StatusOf(id), "NotSelected");
    auto positive = evaluations_.ReviewVerdict(tx, id, {true, 85});
    ASSERT_TRUE(positive);
    EXPECT_EQ(positive->decision, Decision::kConfirm);
    EXPECT_EQ(StatusOf(id), "NotSelected");  // nothing until course-management agreed
    EXPECT_EQ(evaluations_.ReviewVerdict(tx, 999, {true, 85}).error().code, Code::kNotFound);
    EXPECT_EQ(evaluations_.ReviewVerdict(tx, id, {true, 101}).error().code, Code::kInvalidArgument);
}

TEST_F(EvaluationsTest, AConfirmationIsPublishedOnce) {
    int64_t id = Applied(1, 1);
    auto tx = Tx();
    ASSERT_TRUE(evaluations_.ConfirmProfessor(tx, id, {true, 85}));
    ASSERT_TRUE(evaluations_.ConfirmProfessor(tx, id, {true, 85}));  // a concurrent repeat
    ASSERT_EQ(Published<ProfessorConfirmed>().size(), 1u);
    EXPECT_EQ(Published<ProfessorConfirmed>()[0].score, 85);
    EXPECT_EQ(Published<ProfessorConfirmed>()[0].courseId, 1);
    EXPECT_EQ(StatusOf(id), "Confirmed");
    EXPECT_EQ(evaluations_.ReviewVerdict(tx, id, {true, 90}).error().code, Code::kFailedPrecondition);
}

TEST_F(EvaluationsTest, EvaluationsAreCanceledWithTheirApplicationOrCourse) {
    int64_t first = Applied(1, 1);
    int64_t other_course = Applied(2, 2);
    auto tx = Tx();
    ASSERT_TRUE(evaluations_.CancelForApplication(tx, {1, 1, 1, "국어", 201, "P01", "", "ApplyCanceled"}));
    EXPECT_EQ(StatusOf(first), "Canceled");
    EXPECT_EQ(StatusOf(other_course), "Evaluating");
    int64_t second = Applied(1, 1, 202);  // another professor applied for course 1
    EXPECT_EQ(StatusOf(second), "Evaluating");
    ASSERT_TRUE(evaluations_.CancelForCourse(tx, {1, 1, "국어"}));
    EXPECT_EQ(StatusOf(second), "Canceled");
    EXPECT_EQ(StatusOf(other_course), "Evaluating");
    EXPECT_EQ(evaluations_.ConfirmProfessor(tx, second, {true, 85}).error().code, Code::kFailedPrecondition);
    EXPECT_TRUE(Published<ProfessorConfirmed>().empty());
}

}  // namespace
}  // namespace reservo::course::eval
