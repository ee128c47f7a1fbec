// The events of system `course`, declared once: their CloudEvents `type` is the struct's name,
// their `subject` (correlation key) the named member. Every service publishes and subscribes by
// these types; none spells an event name as a string.
//
// Every event is keyed by the course id: a course's registration, changes, its application, the
// evaluation and confirmation of that application and the course's cancellation all land on one
// partition, so each consumer sees one producer's events about a course in the order they were
// published (ProfessorApplied before that application's ApplymentCanceled), and an event caused by
// another (ProfessorApplied by CourseRegistered, ProfessorConfirmed by ProfessorApplied) after its
// cause. my-page relies on this: its row per course exists before any later event about it.
#pragma once

#include <cstdint>
#include <string>

#include "kit/messaging/event_declaration.hpp"

namespace reservo::course {

// course-management: the course team registered a course, changed it or canceled (deleted) it.
struct CourseRegistered {
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    std::string courseInfo;
    std::string dueDate;
};
RESERVO_EVENT(CourseRegistered, courseId, (courseId, courseNo, title, courseInfo, dueDate))

struct CourseChanged {
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    std::string courseInfo;
    std::string dueDate;
};
RESERVO_EVENT(CourseChanged, courseId, (courseId, courseNo, title, courseInfo, dueDate))

struct CourseCanceled {
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
};
RESERVO_EVENT(CourseCanceled, courseId, (courseId, courseNo, title))

// course-management: a professor was set as the course's, on professor-evaluation's call.
struct CourseCompleted {
    int64_t courseId = 0;
    int64_t courseNo = 0;
    int64_t evaluationId = 0;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    bool successFlag = true;
};
RESERVO_EVENT(CourseCompleted, courseId,
              (courseId, courseNo, evaluationId, professorNo, professorNm, phoneNumber, successFlag))

// professor-applyment: a professor applied for a course, or an application was canceled (by the
// professor, or because its course was).
struct ProfessorApplied {
    int64_t applymentId = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    int64_t age = 0;
    int64_t career = 0;
    std::string professorSpec;
    std::string applyStatus;
};
RESERVO_EVENT(ProfessorApplied, courseId,
              (applymentId, courseId, courseNo, title, professorNo, professorNm, phoneNumber, age, career,
               professorSpec, applyStatus))

struct ApplymentCanceled {
    int64_t applymentId = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    std::string applyStatus;  // ApplyCanceled, or CourseCanceled
};
RESERVO_EVENT(ApplymentCanceled, courseId,
              (applymentId, courseId, courseNo, title, professorNo, professorNm, phoneNumber, applyStatus))

// professor-evaluation: the evaluation confirmed the professor as the course's (course-management
// agreed synchronously).
struct ProfessorConfirmed {
    int64_t evaluationId = 0;
    int64_t applymentId = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    int64_t score = 0;
    bool successFlag = true;
};
RESERVO_EVENT(ProfessorConfirmed, courseId,
              (evaluationId, applymentId, courseId, courseNo, title, professorNo, professorNm, phoneNumber, score,
               successFlag))

// professor-evaluation: a confirmation whose outcome on course-management stayed unknown (the call
// timed out, the answer or professor-evaluation's own commit was lost, the process died) was given
// up by its saga's sweeper, and the evaluation was not confirmed. course-management undoes what that
// evaluation's completeCourse set, and refuses it from then on.
struct ProfessorConfirmationAborted {
    int64_t evaluationId = 0;
    int64_t courseId = 0;
};
RESERVO_EVENT(ProfessorConfirmationAborted, courseId, (evaluationId, courseId))

}  // namespace reservo::course
