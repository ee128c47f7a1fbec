// Course management's use cases over a real store: completeCourse sets the professor once per
// evaluation (a retried call answers the course as it is and publishes nothing), refuses the
// current professor from another evaluation, and knows no deleted course.
#include "systems/course/course-management/application.hpp"

#include "kit/service/use_case_test_support.hpp"

namespace reservo::course::mgmt {
namespace {

using service::UseCaseTest;

const store::Table<Course> kCourses({.collection = "courseManagements"});
const store::Table<Confirmation> kConfirmations({.collection = "courseConfirmations", .assigned_ids = true});

class CoursesTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kCourses.shape().Ensure(db()));
        ASSERT_TRUE(kConfirmations.shape().Ensure(db()));
        course_ =
            kCourses
                .Insert(db(),
                        Course{.courseNo = 1, .title = "국어", .courseInfo = "국어과목", .dueDate = {"2021-07-01"}})
                .value()
                .id;
    }
    Result<CompleteResult> CompleteFor(int64_t evaluation, int64_t professor) {
        auto tx = Tx();
        return courses_.CompleteCourse(tx, {course_, evaluation, professor, "P01", "000-0000-0001"});
    }

    Status Aborted(int64_t evaluation) {
        auto tx = Tx();
        return courses_.ConfirmationAborted(tx, {evaluation, course_});
    }
    Course TheCourse() { return kCourses.Load(db(), course_).value(); }

    Courses courses_{kCourses, kConfirmations};
    int64_t course_ = 0;
};

TEST_F(CoursesTest, TheProfessorIsSetOncePerEvaluation) {
    auto first = CompleteFor(10, 201);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->assigned);
    auto retry = CompleteFor(10, 201);  // the answer was lost
    ASSERT_TRUE(retry);
    EXPECT_FALSE(retry->assigned);
    EXPECT_EQ(retry->course.professorNo, 201);
    ASSERT_EQ(Published<CourseCompleted>().size(), 1u);
    EXPECT_EQ(Published<CourseCompleted>()[0].evaluationId, 10);
    EXPECT_EQ(kCourses.Load(db(), course_).value().evaluationId, 10);
}

TEST_F(CoursesTest, TheCurrentProfessorFromAnotherEvaluationIsRefused) {
    ASSERT_TRUE(CompleteFor(10, 201));
    auto again = CompleteFor(11, 201);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(kCourses.Load(db(), course_).value().evaluationId, 10);
    EXPECT_EQ(Published<CourseCompleted>().size(), 1u);
    ASSERT_TRUE(CompleteFor(12, 202));  // another professor
    EXPECT_EQ(kCourses.Load(db(), course_).value().professorNo, 202);
}

TEST_F(CoursesTest, AnAbortedConfirmationIsUndoneOnceAndRefusedFromThenOn) {
    ASSERT_TRUE(CompleteFor(10, 201));
    ASSERT_TRUE(Aborted(10));
    Course c = TheCourse();
    EXPECT_FALSE(c.professorNo);
    EXPECT_FALSE(c.evaluationId);
    EXPECT_FALSE(c.successFlag);
    EXPECT_EQ(c.professorNm, "");
    ASSERT_TRUE(Aborted(10));          // delivered again: nothing more
    auto late = CompleteFor(10, 201);  // the caller's retry, or its call arriving late
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Code::kFailedPrecondition);
    EXPECT_FALSE(TheCourse().professorNo);
    EXPECT_EQ(Published<CourseCompleted>().size(), 1u);
    ASSERT_TRUE(CompleteFor(11, 201));  // the same professor by another evaluation
    EXPECT_EQ(TheCourse().evaluationId, 11);
}

TEST_F(CoursesTest, AnAbortArrivingBeforeTheCallRefusesIt) {
    ASSERT_TRUE(Aborted(10));
    auto late = CompleteFor(10, 201);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Code::kFailedPrecondition);
    EXPECT_FALSE(TheCourse().professorNo);
    EXPECT_TRUE(Published<CourseCompleted>().empty());
}

TEST_F(CoursesTest, AnAbortRestoresTheProfessorBeforeItAndLeavesALaterOneAlone) {
    ASSERT_TRUE(CompleteFor(10, 201));
    ASSERT_TRUE(CompleteFor(11, 202));  // another professor replaced 201
    ASSERT_TRUE(Aborted(11));
    EXPECT_EQ(TheCourse().professorNo, 201);
    EXPECT_EQ(TheCourse().evaluationId, 10);
    EXPECT_TRUE(TheCourse().successFlag);
    ASSERT_TRUE(CompleteFor(12, 203));
    ASSERT_TRUE(Aborted(10));  // 10's professor is not the course's any more
    EXPECT_EQ(TheCourse().professorNo, 203);
    EXPECT_EQ(TheCourse().evaluationId, 12);
}

TEST_F(CoursesTest, AnUnknownCourseOrABadRequestChangesNothing) {
    auto tx = Tx();
    EXPECT_EQ(courses_.CompleteCourse(tx, {999, 10, 201, "P01", ""}).error().code, Code::kNotFound);
    EXPECT_EQ(courses_.CompleteCourse(tx, {course_, 10, 0, "P01", ""}).error().code, Code::kInvalidArgument);
    EXPECT_TRUE(Published<CourseCompleted>().empty());
}

}  // namespace
}  // namespace reservo::course::mgmt
