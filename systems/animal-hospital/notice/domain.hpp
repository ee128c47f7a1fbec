// Notice domain: the KakaoTalk-style message a customer gets whenever their reservation is made,
// changed or canceled. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace reservo::animal_hospital::notice {

// A message sent (the resource `/notices`, read-only): one per reservation event.
struct Notice {
    int64_t id = 0;
    int64_t reservationId = 0;
    std::string reservatorName;
    std::string phoneNumber;
    std::string reservationStatus;  // reserved, changed, canceled
    std::string message;
    std::string eventId;  // the CloudEvent it answers: a redelivery sends nothing twice
    std::string sentAt;
};
BOOST_DESCRIBE_STRUCT(Notice, (),
                      (id, reservationId, reservatorName, phoneNumber, reservationStatus, message, eventId, sentAt))

// The message text, as the seed's notice prints it ("예약 되었습니다.", "예약 변경 되었습니다.",
// "예약 취소 되었습니다."), addressed to the customer with the date.
std::string MessageFor(std::string_view status, std::string_view name, std::string_view date);

}  // namespace reservo::animal_hospital::notice
