// Reservation domain: a reservation is stored only after its dose was taken; it can be
// cancelled once, which gives the dose back. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>

#include "kit/core/error.hpp"

namespace reservo::vaccine::booking {

inline constexpr std::string_view kReserved = "reserved";
inline constexpr std::string_view kCancelled = "cancelled";

struct Reservation {
    int64_t id = 0;
    int64_t userId = 0;
    int64_t vaccineId = 0;
    std::string hospital;
    std::string reservedDate;
    std::string vaccineType;
    std::string reservationStatus;
};
BOOST_DESCRIBE_STRUCT(Reservation, (), (id, userId, vaccineId, hospital, reservedDate, vaccineType, reservationStatus))

// Outcome of a cancel request: whether a ReservationCancelled event is due.
enum class CancelOutcome { kCancelled, kAlreadyCancelled };

Result<CancelOutcome> Cancel(Reservation& r);

// A requested status change through PATCH: only "cancelled" (or its spelling "canceled") is a command.
Result<bool> IsCancelRequest(std::string_view requested_status, std::string_view current_status);

Status ValidateUser(int64_t userId);

// A lot chosen by place instead of vaccineId: hospital and vaccineType must not be blank.
Status ValidatePlaceAndType(std::string_view hospital, std::string_view vaccineType);

}  // namespace reservo::vaccine::booking
