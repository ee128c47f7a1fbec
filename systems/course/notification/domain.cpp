#include "systems/course/notification/domain.hpp"

namespace reservo::course::sms {
namespace {

template <class E>
SmsHistory To(const E& e, std::string message) {
    return SmsHistory{.courseId = e.courseId,
                      .courseNo = e.courseNo,
                      .title = e.title,
                      .applymentId = e.applymentId,
                      .professorNo = e.professorNo,
                      .professorNm = e.professorNm,
                      .phoneNumber = e.phoneNumber,
                      .message = std::move(message)};
}

std::string Course(int64_t course_no, const std::string& title) {
    return "course " + std::to_string(course_no) + " (" + title + ")";
}

}  // namespace

SmsHistory Compose(const ProfessorApplied& e) {
    return To(e, e.professorNm + ", your application for " + Course(e.courseNo, e.title) + " was received.");
}

SmsHistory Compose(const ApplymentCanceled& e) {
    // professor-applyment's status when the course was canceled with the application.
    std::string why = e.applyStatus == "CourseCanceled" ? " because the course was canceled." : ".";
    return To(e, e.professorNm + ", your application for " + Course(e.courseNo, e.title) + " was canceled" + why);
}

SmsHistory Compose(const ProfessorConfirmed& e) {
    return To(e, e.professorNm + ", you were confirmed as the professor of " + Course(e.courseNo, e.title) + ".");
}

}  // namespace reservo::course::sms
