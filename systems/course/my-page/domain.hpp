// My page (CQRS): one row per course — the course, the professor who applied, the application's
// and the confirmation's state — built only from events, which are all keyed by the course id.
// Pure projection rules.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "systems/course/events.hpp"

namespace reservo::course::mypage {

struct ApplyStatusInquiry {
    int64_t id = 0;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    std::string courseInfo;
    std::string dueDate;
    std::string courseStatus;  // Registered, Canceled
    std::optional<int64_t> applymentId;
    std::optional<int64_t> professorNo;
    std::string professorNm;
    std::string phoneNumber;
    std::string applyStatus;  // Open, Applied, Confirmed, ApplyCanceled, CourseCanceled (professor-applyment's)
    std::optional<int64_t> evaluationId;
    std::optional<int64_t> score;
    bool successFlag = false;
    std::string confirmStatus;  // NotConfirmed, Confirmed, Canceled
};
BOOST_DESCRIBE_STRUCT(ApplyStatusInquiry, (),
                      (id, courseId, courseNo, title, courseInfo, dueDate, courseStatus, applymentId, professorNo,
                       professorNm, phoneNumber, applyStatus, evaluationId, score, successFlag, confirmStatus))

inline void Project(const CourseRegistered& e, ApplyStatusInquiry& row) {
    row.courseId = e.courseId;
    row.courseNo = e.courseNo;
    row.title = e.title;
    row.courseInfo = e.courseInfo;
    row.dueDate = e.dueDate;
    row.courseStatus = "Registered";
    if (row.applyStatus.empty()) row.applyStatus = "Open";
    if (row.confirmStatus.empty()) row.confirmStatus = "NotConfirmed";
}

inline void Project(const CourseChanged& e, ApplyStatusInquiry& row) {
    row.courseNo = e.courseNo;
    row.title = e.title;
    row.courseInfo = e.courseInfo;
    row.dueDate = e.dueDate;
}

inline void Project(const ProfessorApplied& e, ApplyStatusInquiry& row) {
    row.applymentId = e.applymentId;
    row.professorNo = e.professorNo;
    row.professorNm = e.professorNm;
    row.phoneNumber = e.phoneNumber;
    row.applyStatus = e.applyStatus;
    row.evaluationId.reset();
    row.score.reset();
    row.successFlag = false;
    row.confirmStatus = "NotConfirmed";
}

inline void Project(const ApplymentCanceled& e, ApplyStatusInquiry& row) {
    row.applyStatus = e.applyStatus;
    if (row.confirmStatus == "Confirmed") row.confirmStatus = "Canceled";
}

inline void Project(const ProfessorConfirmed& e, ApplyStatusInquiry& row) {
    row.applyStatus = "Confirmed";  // as professor-applyment marks the application
    row.evaluationId = e.evaluationId;
    row.score = e.score;
    row.successFlag = e.successFlag;
    row.confirmStatus = "Confirmed";
}

inline void Project(const CourseCanceled&, ApplyStatusInquiry& row) {
    row.courseStatus = "Canceled";
    if (row.confirmStatus == "Confirmed") row.confirmStatus = "Canceled";
}

}  // namespace reservo::course::mypage
