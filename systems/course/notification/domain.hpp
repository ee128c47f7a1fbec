// Notification domain: the SMS a professor receives when an application is made or canceled and
// when they are confirmed as a course's professor. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>

#include "systems/course/events.hpp"

namespace reservo::course::sms {

// An SMS as recorded: a document of the resource `/smsHistories` (its id is the collection's).
struct SmsHistory {
    std::string eventType;  // the event it was sent for
    std::string eventId;
    int64_t courseId = 0;
    int64_t courseNo = 0;
    std::string title;
    int64_t applymentId = 0;
    int64_t professorNo = 0;
    std::string professorNm;
    std::string phoneNumber;
    std::string message;
    std::string sentAt;  // ISO-8601
};
BOOST_DESCRIBE_STRUCT(SmsHistory, (),
                      (eventType, eventId, courseId, courseNo, title, applymentId, professorNo, professorNm,
                       phoneNumber, message, sentAt))

// The SMS for an event: everything but eventType, eventId and sentAt (the cause's).
SmsHistory Compose(const ProfessorApplied& e);
SmsHistory Compose(const ApplymentCanceled& e);
SmsHistory Compose(const ProfessorConfirmed& e);

}  // namespace reservo::course::sms
