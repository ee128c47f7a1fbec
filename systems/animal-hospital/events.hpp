// The events of system `animal-hospital`, declared once: their CloudEvents `type` is the struct's
// name, their `subject` (correlation key) the named member. Every service publishes and subscribes
// by these types; none spells an event name as a string.
//
// Everything is keyed by the reservation id — the reservation's own events, its medical record's
// treatment and its bill — so one reservation's events stay in order on one partition.
#pragma once

#include <cstdint>
#include <string>

#include "kit/messaging/event_declaration.hpp"

namespace reservo::animal_hospital {

// reservation: stored once diagnosis opened its medical record; changed (date, name, phone);
// canceled. `status` is the reservation's after the change: reserved, changed, canceled.
struct ReservationReserved {
    int64_t id = 0;  // the reservation, as the seed's entity carries it
    std::string reservatorName;
    std::string reservationDate;
    std::string phoneNumber;
    std::string status;
};
RESERVO_EVENT(ReservationReserved, id, (id, reservatorName, reservationDate, phoneNumber, status))

struct ReservationChanged {
    int64_t id = 0;
    std::string reservatorName;
    std::string reservationDate;
    std::string phoneNumber;
    std::string status;
};
RESERVO_EVENT(ReservationChanged, id, (id, reservatorName, reservationDate, phoneNumber, status))

struct ReservationCanceled {
    int64_t id = 0;
    std::string reservatorName;
    std::string reservationDate;
    std::string phoneNumber;
    std::string status;
};
RESERVO_EVENT(ReservationCanceled, id, (id, reservatorName, reservationDate, phoneNumber, status))

// A reservation saga gave up after asking for the medical record (outcome unknown, or its caller
// gone): the record opened under this reservation id, if any, is canceled, and none may be opened
// later.
struct ReservationAborted {
    int64_t reservationId = 0;
};
RESERVO_EVENT(ReservationAborted, reservationId, (reservationId))

// diagnosis: the treatment of a reservation's medical record was recorded.
struct Treated {
    int64_t id = 0;  // the medical record
    int64_t reservationId = 0;
    std::string doctor;
    std::string medicalOpinion;
    std::string treatment;
    std::string status;
};
RESERVO_EVENT(Treated, reservationId, (id, reservationId, doctor, medicalOpinion, treatment, status))

// acceptance: a treatment was billed; a bill was paid.
struct Billed {
    int64_t id = 0;  // the bill (financial management)
    int64_t reservationId = 0;
    int64_t fee = 0;
    std::string status;
};
RESERVO_EVENT(Billed, reservationId, (id, reservationId, fee, status))

struct Paid {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t fee = 0;
    std::string status;
};
RESERVO_EVENT(Paid, reservationId, (id, reservationId, fee, status))

}  // namespace reservo::animal_hospital
