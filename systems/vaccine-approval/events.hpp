// The events of system `vaccine-approval`, declared once: their CloudEvents `type` is the struct's
// name, their `subject` (correlation key) the reservation id — every event of the system is about one
// reservation, so all of a reservation's events share a partition and keep their order. Services
// publish and subscribe by these types; none spells an event name as a string.
//
//   reservation ──ReservationApproved──────────▶ vaccine-mgmt ──VaccineAssigned / VaccineAssignFailed──▶ reservation
//   reservation ──ReservationCancelRequested───▶ vaccine-mgmt ──VaccineReleased─────────────────────────▶ reservation
//   reservation ──ReservationAborted───────────▶ approval (the approval it asked for is withdrawn)
//   mypage builds its view from all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kit/messaging/event_declaration.hpp"

namespace reservo::approval_system {

// reservation stored a reservation that approval approved; vaccine-mgmt is to assign it a dose.
struct ReservationApproved {
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    std::string reservationDate;
    std::optional<std::string> vaccineType;  // the type the customer asked for; none: any type
    int64_t approvalId = 0;
    std::string status;
};
RESERVO_EVENT(ReservationApproved, reservationId,
              (reservationId, customerId, customerName, hospital, reservationDate, vaccineType, approvalId, status))

// vaccine-mgmt took one dose of a lot for the reservation.
struct VaccineAssigned {
    int64_t reservationId = 0;
    int64_t vaccineId = 0;  // the lot
    std::string vaccineType;
    std::string expiryDate;
    std::string manufactureDate;
};
RESERVO_EVENT(VaccineAssigned, reservationId, (reservationId, vaccineId, vaccineType, expiryDate, manufactureDate))

// vaccine-mgmt found no lot that may serve the reservation; `reason` says which check failed.
struct VaccineAssignFailed {
    int64_t reservationId = 0;
    std::string reason;
};
RESERVO_EVENT(VaccineAssignFailed, reservationId, (reservationId, reason))

// The customer asked to cancel; vaccine-mgmt gives the dose back.
struct ReservationCancelRequested {
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string status;
};
RESERVO_EVENT(ReservationCancelRequested, reservationId, (reservationId, customerId, status))

// vaccine-mgmt answered a cancel request: the dose went back to its lot (or none had been assigned).
struct VaccineReleased {
    int64_t reservationId = 0;
    std::optional<int64_t> vaccineId;  // the lot that got its dose back; none when nothing was assigned
};
RESERVO_EVENT(VaccineReleased, reservationId, (reservationId, vaccineId))

// reservation gave up after asking approval (outcome unknown, or its caller gone): whatever approval
// approval may have granted under this reservation id is withdrawn, and a late request refused.
struct ReservationAborted {
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    std::string reservationDate;
};
RESERVO_EVENT(ReservationAborted, reservationId, (reservationId, customerId, customerName, hospital, reservationDate))

}  // namespace reservo::approval_system
