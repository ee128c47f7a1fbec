#include "systems/course/course-management/application.hpp"

#include "kit/core/try.hpp"

namespace reservo::course::mgmt {

Status Courses::Registered(service::Tx& tx, const Course& c) const {
    return tx.Publish(CourseRegistered{c.id, c.courseNo, c.title, c.courseInfo, c.dueDate.iso});
}

Status Courses::Changed(service::Tx& tx, const Course& before, const Course& after) const {
    if (before.courseNo == after.courseNo && before.title == after.title && before.courseInfo == after.courseInfo &&
        before.dueDate == after.dueDate) {
        return Ok();
    }
    return tx.Publish(CourseChanged{after.id, after.courseNo, after.title, after.courseInfo, after.dueDate.iso});
}

Status Courses::Canceling(service::Tx& tx, const Course& c) const {
    return tx.Publish(CourseCanceled{c.id, c.courseNo, c.title});
}

Result<CompleteResult> Courses::CompleteCourse(service::Tx& tx, const Completion& completion) const {
    RESERVO_TRY(ValidateCompletion(completion));
    Course course = RESERVO_TRY(courses_.Load(tx.db(), completion.courseId));
    if (RESERVO_TRY(Complete(course, completion)) == CompleteOutcome::kRepeat) return CompleteResult{course, false};
    RESERVO_TRY(courses_.Update(tx.db(), course));
    RESERVO_TRY(tx.Publish(CourseCompleted{course.id, course.courseNo, completion.evaluationId, completion.professorNo,
                                           course.professorNm, course.phoneNumber, true}));
    return CompleteResult{std::move(course), true};
}

}  // namespace reservo::course::mgmt
