// Domain rules of system `course`, without I/O: a course's professor set only when it differs
// (a repeat of the same evaluation changing nothing), the application entry's states, the
// evaluation's verdicts, the SMS texts and the my-page projection.
#include "systems/course/course-management/domain.hpp"

#include <gtest/gtest.h>

#include "systems/course/my-page/domain.hpp"
#include "systems/course/notification/domain.hpp"
#include "systems/course/professor-applyment/domain.hpp"
#include "systems/course/professor-evaluation/domain.hpp"

namespace reservo::course {
namespace {

// ---- course-management -----------------------------------------------------------------------------

mgmt::Course Korean() {
    return mgmt::Course{.id = 1, .courseNo = 1, .title = "국어", .courseInfo = "국어과목", .dueDate = {"2021-07-01"}};
}

TEST(CourseTest, ACourseNeedsANumberATitleAndADueDate) {
    EXPECT_TRUE(mgmt::ValidateCourse(Korean()));
    auto course = Korean();
    course.courseNo = 0;
    EXPECT_EQ(mgmt::ValidateCourse(course).error().code, Code::kInvalidArgument);
    course = Korean();
    course.title = "  ";
    EXPECT_EQ(mgmt::ValidateCourse(course).error().message, "title: must not be blank");
    course = Korean();
    course.dueDate = {};
    EXPECT_FALSE(mgmt::ValidateCourse(course));
    course = Korean();
    course.courseInfo = std::string(2001, 'x');
    EXPECT_FALSE(mgmt::ValidateCourse(course));
}

TEST(CourseTest, AProfessorIsSetOnlyWhenDifferentFromTheCurrentOne) {
    auto course = Korean();
    mgmt::Completion first{1, 10, 201, "P01", "000-0000-0001"};
    EXPECT_EQ(mgmt::Complete(course, first).value(), mgmt::CompleteOutcome::kAssigned);
    EXPECT_EQ(course.professorNo, 201);
    EXPECT_EQ(course.professorNm, "P01");
    EXPECT_EQ(course.evaluationId, 10);
    EXPECT_TRUE(course.successFlag);

    // The same evaluation again (its answer was lost): nothing changes.
    EXPECT_EQ(mgmt::Complete(course, first).value(), mgmt::CompleteOutcome::kRepeat);
    // The same professor from another evaluation: refused, as the seed refuses it.
    auto again = mgmt::Complete(course, {1, 11, 201, "P01", "000-0000-0001"});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(again.error().message, "professor 201 is already the professor of course 1");
    EXPECT_EQ(course.evaluationId, 10);

    // Another professor replaces the current one.
    EXPECT_EQ(mgmt::Complete(course, {1, 12, 203, "P03", "000-0000-0003"}).value(), mgmt::CompleteOutcome::kAssigned);
    EXPECT_EQ(course.professorNo, 203);
}

TEST(CourseTest, ACompletionNamesTheCourseTheEvaluationAndTheProfessor) {
    EXPECT_TRUE(mgmt::ValidateCompletion({1, 10, 201, "P01", "000-0000-0001"}));
    EXPECT_FALSE(mgmt::ValidateCompletion({0, 10, 201, "P01", ""}));
    EXPECT_FALSE(mgmt::ValidateCompletion({1, 0, 201, "P01", ""}));
    EXPECT_FALSE(mgmt::ValidateCompletion({1, 10, -1, "P01", ""}));
    EXPECT_FALSE(mgmt::ValidateCompletion({1, 10, 201, "", ""}));
}

// ---- professor-applyment -----------------------------------------------------------------------

apply::Application Professor(int64_t no = 201) { return {no, "P01", "000-0000-0001", 40, 15, "TEST"}; }

TEST(ApplymentTest, TheSeedsApplicationIsValidAndNonsenseIsNot) {
    EXPECT_TRUE(apply::ValidateApplication(Professor()));
    auto a = Professor();
    a.phoneNumber = "call me";
    EXPECT_EQ(apply::ValidateApplication(a).error().code, Code::kInvalidArgument);
    a = Professor();
    a.age = 0;
    EXPECT_FALSE(apply::ValidateApplication(a));
    a = Professor();
    a.career = 50;  // longer than the professor's age
    EXPECT_FALSE(apply::ValidateApplication(a));
    a = Professor(0);
    EXPECT_FALSE(apply::ValidateApplication(a));
    a = Professor();
    a.age.reset();
    a.career.reset();
    EXPECT_TRUE(apply::ValidateApplication(a));
}

TEST(ApplymentTest, OneProfessorAppliesAtATimeAndARepeatChangesNothing) {
    apply::Applyment entry = apply::Opened(1, 1, "국어");
    EXPECT_EQ(entry.applyStatus, "Open");
    EXPECT_TRUE(apply::Apply(entry, Professor()).value());
    EXPECT_EQ(entry.applyStatus, "Applied");
    EXPECT_EQ(entry.professorNo, 201);
    EXPECT_FALSE(apply::Apply(entry, Professor()).value());  // the same application again
    auto other = apply::Apply(entry, Professor(202));
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Code::kFailedPrecondition);

    EXPECT_TRUE(apply::CancelApplication(entry).value());
    EXPECT_EQ(entry.applyStatus, "ApplyCanceled");
    EXPECT_FALSE(apply::CancelApplication(entry).value());     // canceled already
    EXPECT_TRUE(apply::Apply(entry, Professor(202)).value());  // another may apply now
    EXPECT_EQ(entry.professorNo, 202);
}

TEST(ApplymentTest, AConfirmedOrClosedEntryRefusesChanges) {
    apply::Applyment entry = apply::Opened(1, 1, "국어");
    EXPECT_EQ(apply::CancelApplication(entry).error().code, Code::kFailedPrecondition);  // nobody applied
    ASSERT_TRUE(apply::Apply(entry, Professor()));
    EXPECT_FALSE(apply::Confirm(entry, 999));  // not this entry's professor
    EXPECT_TRUE(apply::Confirm(entry, 201));
    EXPECT_FALSE(apply::Confirm(entry, 201));
    EXPECT_EQ(entry.applyStatus, "Confirmed");
    EXPECT_FALSE(apply::CancelApplication(entry));
    EXPECT_FALSE(apply::Apply(entry, Professor(202)));

    EXPECT_TRUE(apply::CloseForCourse(entry));  // its application goes with the course
    EXPECT_EQ(entry.applyStatus, "CourseCanceled");
    EXPECT_FALSE(apply::CloseForCourse(entry));
    EXPECT_FALSE(apply::Apply(entry, Professor()));

    apply::Applyment open = apply::Opened(2, 2, "수학");
    EXPECT_FALSE(apply::CloseForCourse(open));  // nobody to tell
}

// ---- professor-evaluation ----------------------------------------------------------------------

eval::Evaluation Evaluating() {
    return eval::Evaluation{.id = 2,
                            .applymentId = 1,
                            .courseId = 1,
                            .professorNo = 201,
                            .evaluationStatus = std::string(eval::kEvaluating)};
}

TEST(EvaluationTest, APositiveVerdictAsksForConfirmationOthersAreRecorded) {
    EXPECT_EQ(eval::Decide(Evaluating(), {true, 85}).value(), eval::Decision::kConfirm);
    EXPECT_EQ(eval::Decide(Evaluating(), {false, 40}).value(), eval::Decision::kRecord);
    EXPECT_EQ(eval::Decide(Evaluating(), {std::nullopt, 40}).value(), eval::Decision::kRecord);

    auto e = Evaluating();
    eval::Record(e, {false, 40});
    EXPECT_EQ(e.evaluationStatus, "NotSelected");
    EXPECT_EQ(e.score, 40);
    EXPECT_EQ(eval::Decide(e, {true, 90}).value(), eval::Decision::kConfirm);  // reconsidered
}

TEST(EvaluationTest, AConfirmedOrCanceledEvaluationRefusesVerdicts) {
    auto e = Evaluating();
    EXPECT_TRUE(eval::Confirm(e, {true, 85}));
    EXPECT_EQ(e.evaluationStatus, "Confirmed");
    EXPECT_EQ(e.score, 85);
    EXPECT_EQ(e.successFlag, true);
    EXPECT_FALSE(eval::Confirm(e, {true, 85}));
    auto twice = eval::Decide(e, {true, 85});
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, Code::kFailedPrecondition);

    EXPECT_TRUE(eval::Cancel(e));
    EXPECT_FALSE(eval::Cancel(e));
    EXPECT_EQ(eval::Decide(e, {false, 1}).error().message, "evaluation 2 was canceled");
}

TEST(EvaluationTest, AVerdictHasAScoreOfZeroToAHundred) {
    EXPECT_TRUE(eval::ValidateVerdict({true, 85}));
    EXPECT_TRUE(eval::ValidateVerdict({true, std::nullopt}));
    EXPECT_FALSE(eval::ValidateVerdict({std::nullopt, std::nullopt}));
    EXPECT_FALSE(eval::ValidateVerdict({true, 101}));
    EXPECT_FALSE(eval::ValidateVerdict({true, -1}));
}

// ---- notification and my-page ------------------------------------------------------------------

TEST(SmsTest, EachNotifyingEventTellsTheProfessor) {
    ProfessorApplied applied{1, 1, 1, "국어", 201, "P01", "000-0000-0001", 40, 15, "TEST", "Applied"};
    auto sms = sms::Compose(applied);
    EXPECT_EQ(sms.phoneNumber, "000-0000-0001");
    EXPECT_EQ(sms.professorNo, 201);
    EXPECT_EQ(sms.message, "P01, your application for course 1 (국어) was received.");
    ApplymentCanceled canceled{1, 1, 1, "국어", 201, "P01", "000-0000-0001", "CourseCanceled"};
    EXPECT_EQ(sms::Compose(canceled).message,
              "P01, your application for course 1 (국어) was canceled because the course was canceled.");
    ProfessorConfirmed confirmed{2, 1, 1, 1, "국어", 201, "P01", "000-0000-0001", 85, true};
    EXPECT_EQ(sms::Compose(confirmed).message, "P01, you were confirmed as the professor of course 1 (국어).");
}

TEST(MyPageTest, ARowFollowsItsCourseFromRegistrationToConfirmationAndCancellation) {
    mypage::ApplyStatusInquiry row;
    mypage::Project(CourseRegistered{1, 1, "국어", "국어과목", "2021-07-01"}, row);
    EXPECT_EQ(row.courseStatus, "Registered");
    EXPECT_EQ(row.applyStatus, "Open");
    EXPECT_EQ(row.confirmStatus, "NotConfirmed");
    mypage::Project(ProfessorApplied{1, 1, 1, "국어", 201, "P01", "000-0000-0001", 40, 15, "TEST", "Applied"}, row);
    EXPECT_EQ(row.professorNo, 201);
    EXPECT_EQ(row.applyStatus, "Applied");
    mypage::Project(ProfessorConfirmed{2, 1, 1, 1, "국어", 201, "P01", "000-0000-0001", 85, true}, row);
    EXPECT_EQ(row.confirmStatus, "Confirmed");
    EXPECT_EQ(row.applyStatus, "Confirmed");
    EXPECT_EQ(row.evaluationId, 2);
    EXPECT_EQ(row.score, 85);
    EXPECT_TRUE(row.successFlag);
    mypage::Project(CourseCanceled{1, 1, "국어"}, row);
    EXPECT_EQ(row.courseStatus, "Canceled");
    EXPECT_EQ(row.confirmStatus, "Canceled");
}

}  // namespace
}  // namespace reservo::course
