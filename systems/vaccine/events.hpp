// The events of system `vaccine`, declared once: their CloudEvents `type` is the struct's name,
// their `subject` (correlation key) the named member. Every service publishes and subscribes by
// these types; none spells an event name as a string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kit/messaging/event_declaration.hpp"

namespace reservo::vaccine {

// vaccine-mgmt registered a lot of doses (a notice to users).
struct VaccineRegistered {
    int64_t id = 0;  // the lot
    std::string vaccineType;
    std::string hospital;
    std::string availableDate;
    int64_t qty = 0;
    std::string vaccineStatus;
};
RESERVO_EVENT(VaccineRegistered, id, (id, vaccineType, hospital, availableDate, qty, vaccineStatus))

// A reservation was stored after its dose was taken; and later cancelled (the dose comes back).
struct VaccineReserved {
    int64_t id = 0;  // the reservation, as the seed's entity carries it
    int64_t reservationId = 0;
    int64_t userId = 0;
    int64_t vaccineId = 0;
    std::string hospital;
    std::string reservedDate;
    std::string vaccineType;
    std::string reservationStatus;
};
RESERVO_EVENT(VaccineReserved, reservationId,
              (id, reservationId, userId, vaccineId, hospital, reservedDate, vaccineType, reservationStatus))

struct ReservationCancelled {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t userId = 0;
    int64_t vaccineId = 0;
    std::string hospital;
    std::string reservedDate;
    std::string vaccineType;
    std::string reservationStatus;
};
RESERVO_EVENT(ReservationCancelled, reservationId,
              (id, reservationId, userId, vaccineId, hospital, reservedDate, vaccineType, reservationStatus))

// A reservation saga gave up after asking for a dose (outcome unknown, or its caller gone):
// whatever dose it may have taken goes back.
struct ReservationAborted {
    int64_t reservationId = 0;
    std::optional<int64_t> vaccineId;
};
RESERVO_EVENT(ReservationAborted, reservationId, (reservationId, vaccineId))

}  // namespace reservo::vaccine
