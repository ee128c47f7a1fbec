// Professor evaluation's use cases over a real store: an evaluation per application, canceled with
// its application or course, a negative verdict recorded at once, a confirmation published once.
#include "systems/course/professor-evaluation/application.hpp"

#include "kit/service/use_case_test_support.hpp"

namespace reservo::course::eval {
namespace {

using service::UseCaseTest;

const store::Table<Evaluation> kEvaluations({.collection = "professorEvaluations"});
const store::Table<Confirmation> kConfirmations({.collection = "evaluationConfirmations", .assigned_ids = true});

class EvaluationsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kEvaluations.shape().Ensure(db()));
        ASSERT_TRUE(kConfirmations.shape().Ensure(db()));
    }
    int64_t Applied(int64_t applyment, int64_t course, int64_t professor = 201) {
        auto tx = Tx();
        EXPECT_TRUE(evaluations_.Open(
            tx, {applyment, course, 1, "국어", professor, "P01", "000-0000-0001", 40, 15, "TEST", "Applied"}));
        return kEvaluations.Where(db(), "applymentId", applyment).value().back().id;
    }
    std::string StatusOf(int64_t id) { return kEvaluations.Load(db(), id).value().evaluationStatus; }

    Result<eval::Review> ReviewOf(int64_t id, Verdict verdict) {
        auto tx = Tx();
        return evaluations_.ReviewVerdict(tx, id, verdict, open_);
    }
    Result<Evaluation> Confirm(int64_t id, Verdict verdict, int64_t step) {
        auto tx = Tx();
        return evaluations_.ConfirmProfessor(tx, id, verdict, step, complete_);
    }

    Evaluations evaluations_{kEvaluations, kConfirmations};
    int64_t next_step_ = 100;
    std::vector<int64_t> opened_, completed_;
    OpenStep open_ = [this](service::Tx&, const boost::json::object& data) -> Result<int64_t> {
        EXPECT_TRUE(data.contains("evaluationId"));
        EXPECT_TRUE(data.contains("courseId"));
        opened_.push_back(++next_step_);
        return next_step_;
    };
    CompleteStep complete_ = [this](service::Tx&, int64_t step) -> Status {
        completed_.push_back(step);
        return Ok();
    };
};

TEST_F(EvaluationsTest, ANegativeVerdictIsRecordedAPositiveOneWaitsForCourseManagement) {
    int64_t id = Applied(1, 1);
    auto negative = ReviewOf(id, {false, 40});
    ASSERT_TRUE(negative);
    EXPECT_EQ(negative->decision, Decision::kRecord);
    EXPECT_EQ(StatusOf(id), "NotSelected");
    EXPECT_TRUE(opened_.empty());  // no call, no step
    auto positive = ReviewOf(id, {true, 85});
    ASSERT_TRUE(positive);
    EXPECT_EQ(positive->decision, Decision::kConfirm);
    EXPECT_EQ(positive->step, 101);
    EXPECT_FALSE(positive->resumed);
    EXPECT_EQ(StatusOf(id), "NotSelected");  // nothing until course-management agreed
    EXPECT_EQ(ReviewOf(999, {true, 85}).error().code, Code::kNotFound);
    EXPECT_EQ(ReviewOf(id, {true, 101}).error().code, Code::kInvalidArgument);
}

TEST_F(EvaluationsTest, AStepLeftPendingIsResumedAndADroppedOneReplaced) {
    int64_t id = Applied(1, 1);
    ASSERT_EQ(ReviewOf(id, {true, 85})->step, 101);
    auto again = ReviewOf(id, {true, 85});  // the first call's outcome is unknown
    ASSERT_TRUE(again);
    EXPECT_EQ(again->step, 101);
    EXPECT_TRUE(again->resumed);
    auto tx = Tx();
    ASSERT_TRUE(evaluations_.StepDropped(tx, id, 101));  // refused: nothing to undo
    auto fresh = ReviewOf(id, {true, 85});
    EXPECT_EQ(fresh->step, 102);
    EXPECT_FALSE(fresh->resumed);
    auto confirmed = Confirm(id, {true, 85}, 102);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(completed_, std::vector<int64_t>{102});
    EXPECT_EQ(StatusOf(id), "Confirmed");
    EXPECT_FALSE(kConfirmations.Load(db(), id).value().step);
}

TEST_F(EvaluationsTest, AnAbortedConfirmationIsCompensatedAndNeverConfirms) {
    int64_t id = Applied(1, 7);
    ASSERT_EQ(ReviewOf(id, {true, 85})->step, 101);
    auto tx = Tx();
    ASSERT_TRUE(evaluations_.ConfirmationAborted(tx, id, 7, 101));
    ASSERT_EQ(Published<ProfessorConfirmationAborted>().size(), 1u);
    EXPECT_EQ(Published<ProfessorConfirmationAborted>()[0].evaluationId, id);
    EXPECT_EQ(Published<ProfessorConfirmationAborted>()[0].courseId, 7);
    EXPECT_EQ(StatusOf(id), "Evaluating");
    auto retry = ReviewOf(id, {true, 85});
    ASSERT_FALSE(retry);
    EXPECT_EQ(retry.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(opened_.size(), 1u);
    EXPECT_TRUE(ReviewOf(id, {false, 20}));  // another verdict is still recorded
    EXPECT_TRUE(Published<ProfessorConfirmed>().empty());
}

TEST_F(EvaluationsTest, AConfirmationIsPublishedOnce) {
    int64_t id = Applied(1, 1);
    int64_t step = ReviewOf(id, {true, 85})->step;
    ASSERT_TRUE(Confirm(id, {true, 85}, step));
    ASSERT_TRUE(Confirm(id, {true, 85}, step));  // a concurrent repeat
    EXPECT_EQ(completed_.size(), 1u);
    ASSERT_EQ(Published<ProfessorConfirmed>().size(), 1u);
    EXPECT_EQ(Published<ProfessorConfirmed>()[0].score, 85);
    EXPECT_EQ(Published<ProfessorConfirmed>()[0].courseId, 1);
    EXPECT_EQ(StatusOf(id), "Confirmed");
    EXPECT_EQ(ReviewOf(id, {true, 90}).error().code, Code::kFailedPrecondition);
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
    EXPECT_EQ(Confirm(second, {true, 85}, 1).error().code, Code::kFailedPrecondition);
    EXPECT_TRUE(completed_.empty());  // the step is left for the caller to abort
    EXPECT_TRUE(Published<ProfessorConfirmed>().empty());
}

}  // namespace
}  // namespace reservo::course::eval
