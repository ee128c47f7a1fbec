// Notification domain: the message a user receives for each event. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "systems/vaccine/events.hpp"

namespace reservo::vaccine::notice {

// A message as recorded (the resource `/notifications`).
struct Notification {
    int64_t id = 0;
    std::optional<int64_t> userId;  // empty: a notice to every user
    std::string eventType;
    std::string message;
    std::string correlationId;
    std::string eventId;  // the event it was sent for: at most one message per event
    std::string sentAt;
};
BOOST_DESCRIBE_STRUCT(Notification, (), (id, userId, eventType, message, correlationId, eventId, sentAt))

struct Message {
    std::optional<int64_t> userId;  // empty: a notice to every user
    std::string text;
};

Message Compose(const VaccineRegistered& e);
Message Compose(const VaccineReserved& e);
Message Compose(const ReservationCancelled& e);

}  // namespace reservo::vaccine::notice
