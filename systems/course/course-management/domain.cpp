#include "systems/course/course-management/domain.hpp"

namespace reservo::course::mgmt {

Status ValidateCourse(const Course& c) {
    if (c.courseNo <= 0) return Fail(Code::kInvalidArgument, "courseNo: must be a positive number");
    if (auto st = json::ValidateName("title", c.title, 200); !st) return st;
    if (json::CharCount(c.courseInfo) > 2000) {
        return Fail(Code::kInvalidArgument, "courseInfo: at most 2000 characters");
    }
    if (c.dueDate.iso.empty()) return Fail(Code::kInvalidArgument, "dueDate: required");
    return Ok();
}

Status ValidateCompletion(const Completion& c) {
    if (c.courseId <= 0) return Fail(Code::kInvalidArgument, "courseId: must be a positive number");
    if (c.evaluationId <= 0) return Fail(Code::kInvalidArgument, "evaluationId: must be a positive number");
    if (c.professorNo <= 0) return Fail(Code::kInvalidArgument, "professorNo: must be a positive number");
    if (auto st = json::ValidateName("professorNm", c.professorNm, 100); !st) return st;
    if (json::CharCount(c.phoneNumber) > 30) return Fail(Code::kInvalidArgument, "phoneNumber: at most 30 characters");
    return Ok();
}

Result<CompleteOutcome> Complete(Course& course, const Completion& c) {
    if (course.professorNo == c.professorNo) {
        if (course.evaluationId == c.evaluationId) return CompleteOutcome::kRepeat;
        return Fail(Code::kFailedPrecondition, "professor " + std::to_string(c.professorNo) +
                                                   " is already the professor of course " + std::to_string(course.id));
    }
    course.professorNo = c.professorNo;
    course.professorNm = c.professorNm;
    course.phoneNumber = c.phoneNumber;
    course.evaluationId = c.evaluationId;
    course.successFlag = true;
    return CompleteOutcome::kAssigned;
}

Confirmation Before(const Course& course, int64_t evaluation_id) {
    return Confirmation{.id = evaluation_id,
                        .courseId = course.id,
                        .priorSuccessFlag = course.successFlag,
                        .priorProfessorNo = course.professorNo,
                        .priorProfessorNm = course.professorNm,
                        .priorPhoneNumber = course.phoneNumber,
                        .priorEvaluationId = course.evaluationId};
}

Status CheckNotAborted(const Confirmation& c) {
    if (!c.aborted) return Ok();
    return Fail(Code::kFailedPrecondition, "the confirmation by evaluation " + std::to_string(c.id) +
                                               " was aborted; it cannot set the professor of course " +
                                               std::to_string(c.courseId) + " any more");
}

bool Undo(Course& course, const Confirmation& c) {
    if (course.evaluationId != c.id) return false;  // never set by it, or replaced since
    course.successFlag = c.priorSuccessFlag;
    course.professorNo = c.priorProfessorNo;
    course.professorNm = c.priorProfessorNm;
    course.phoneNumber = c.priorPhoneNumber;
    course.evaluationId = c.priorEvaluationId;
    return true;
}

}  // namespace reservo::course::mgmt
