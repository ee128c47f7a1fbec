// Course management domain: a course as the course team registers it, and the rule of the seed's
// synchronous `completeCourse` — a professor is set as the course's only when different from the
// current one, and a repeat of the same confirmation (the same evaluation) changes nothing.
// Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::course::mgmt {

// A course (the aggregate): the resource `/courseManagements`. The professor fields are set by
// completeCourse only.
struct Course {
    int64_t id = 0;
    int64_t courseNo = 0;
    std::string title;
    std::string courseInfo;
    json::Date dueDate;
    bool successFlag = false;  // a professor is confirmed
    std::optional<int64_t> professorNo;
    std::string professorNm;
    std::string phoneNumber;
    std::optional<int64_t> evaluationId;  // the evaluation that confirmed the professor
};
BOOST_DESCRIBE_STRUCT(Course, (),
                      (id, courseNo, title, courseInfo, dueDate, successFlag, professorNo, professorNm, phoneNumber,
                       evaluationId))

// A course number, a title and the course's description.
Status ValidateCourse(const Course& course);

// professor-evaluation's request to set a course's professor.
struct Completion {
    int64_t courseId = 0;
    int64_t evaluationId = 0;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
};
BOOST_DESCRIBE_STRUCT(Completion, (), (courseId, evaluationId, professorNo, professorNm, phoneNumber))

Status ValidateCompletion(const Completion& completion);

enum class CompleteOutcome { kAssigned, kRepeat };

// Sets the professor of `course` (kAssigned) unless it is the current one: kRepeat when the same
// evaluation confirmed it before (a retried call: nothing changes), FailedPrecondition otherwise.
Result<CompleteOutcome> Complete(Course& course, const Completion& completion);

// What course-management keeps of an evaluation's completeCourse (never exposed): the professor the
// course had before that evaluation set its own, and whether professor-evaluation aborted the
// confirmation (ProfessorConfirmationAborted). Keyed by the evaluation id.
struct Confirmation {
    int64_t id = 0;  // the evaluation id
    int64_t courseId = 0;
    bool aborted = false;
    bool priorSuccessFlag = false;
    std::optional<int64_t> priorProfessorNo;
    std::string priorProfessorNm;
    std::string priorPhoneNumber;
    std::optional<int64_t> priorEvaluationId;
};
BOOST_DESCRIBE_STRUCT(Confirmation, (),
                      (id, courseId, aborted, priorSuccessFlag, priorProfessorNo, priorProfessorNm, priorPhoneNumber,
                       priorEvaluationId))

// The record of `course`'s professor as it is before `evaluation_id` sets its own.
Confirmation Before(const Course& course, int64_t evaluation_id);
// A completeCourse of an aborted confirmation: FailedPrecondition (the abort wins, however late the call).
Status CheckNotAborted(const Confirmation& confirmation);
// The abort: the course's professor is what it was before, if that evaluation's is still the course's;
// false when nothing changed.
bool Undo(Course& course, const Confirmation& confirmation);

}  // namespace reservo::course::mgmt
