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
    auto known = RESERVO_TRY(confirmations_.Find(tx.db(), completion.evaluationId));
    if (known) RESERVO_TRY(CheckNotAborted(*known));
    Course course = RESERVO_TRY(courses_.Load(tx.db(), completion.courseId));
    Confirmation before = Before(course, completion.evaluationId);
    if (RESERVO_TRY(Complete(course, completion)) == CompleteOutcome::kRepeat) return CompleteResult{course, false};
    RESERVO_TRY(courses_.Update(tx.db(), course));
    if (known) {
        RESERVO_TRY(confirmations_.Update(tx.db(), before));
    } else {
        RESERVO_TRY(confirmations_.Insert(tx.db(), before));
    }
    RESERVO_TRY(tx.Publish(CourseCompleted{course.id, course.courseNo, completion.evaluationId, completion.professorNo,
                                           course.professorNm, course.phoneNumber, true}));
    return CompleteResult{std::move(course), true};
}

Status Courses::ConfirmationAborted(service::Tx& tx, const ProfessorConfirmationAborted& e) const {
    auto known = RESERVO_TRY(confirmations_.Find(tx.db(), e.evaluationId));
    if (known && known->aborted) return Ok();  // delivered again
    if (!known) {                              // the call never arrived (or arrives later): refuse it when it does
        RESERVO_TRY(confirmations_.Insert(tx.db(),
                                          Confirmation{.id = e.evaluationId, .courseId = e.courseId, .aborted = true}));
        return Ok();
    }
    known->aborted = true;
    RESERVO_TRY(confirmations_.Update(tx.db(), *known));
    auto course = RESERVO_TRY(courses_.Find(tx.db(), known->courseId));
    if (course && Undo(*course, *known)) RESERVO_TRY(courses_.Update(tx.db(), *course));
    return Ok();
}

}  // namespace reservo::course::mgmt
