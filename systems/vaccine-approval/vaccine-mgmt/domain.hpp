// Vaccine management domain: stock lots (type, expiry, manufacture date, doses left) per hospital,
// and the assignment of one dose to each approved reservation. Pure rules, no I/O.
//
// A lot may serve a reservation when it is at the reservation's hospital, has a dose left, is of the
// type asked for (any type when none was; compared ignoring ASCII case), was manufactured on or
// before the reservation date and expires after it. Of the lots that may, the one expiring first is
// used (first expiry, first out — doses closest to expiring are not wasted), then the oldest lot.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::approval_system::stock {

inline constexpr int64_t kMaxQty = 1'000'000;

// A lot of doses (the aggregate): the resource `/vaccines`.
struct VaccineLot {
    int64_t id = 0;
    std::string vaccineType;
    std::string hospital;
    json::Date expiryDate;
    json::Date manufactureDate;
    int64_t qty = 0;
};
BOOST_DESCRIBE_STRUCT(VaccineLot, (), (id, vaccineType, hospital, expiryDate, manufactureDate, qty))

// Registering or changing a lot: type and hospital named (limits in characters), qty within range,
// and a lot expires after it was manufactured.
Status ValidateLot(const VaccineLot& lot);

// What an approved reservation needs a dose for.
struct AssignmentRequest {
    int64_t reservationId = 0;
    std::string hospital;
    std::string reservationDate;             // YYYY-MM-DD
    std::optional<std::string> vaccineType;  // none: any type
};

// Ok when the lot may serve the request; otherwise FailedPrecondition saying which check failed.
Status CheckLot(const VaccineLot& lot, const AssignmentRequest& request);

// The lot to take the dose from (first expiry, then lowest id) of those CheckLot accepts; when none,
// FailedPrecondition with the reason of the lot that came closest (the reservation's rejection reason).
Result<VaccineLot> ChooseLot(std::span<const VaccineLot> lots, const AssignmentRequest& request);

// One dose out (refused when none is left), one dose back.
Result<VaccineLot> TakeOne(VaccineLot lot);
VaccineLot ReturnOne(VaccineLot lot);

// What a reservation got, keyed by the reservation id: one record per reservation, so a dose is
// assigned once and returned once however often the events arrive.
inline constexpr std::string_view kAssigned = "assigned";  // holds one dose of `vaccineId`
inline constexpr std::string_view kFailed = "failed";      // no lot could serve it
inline constexpr std::string_view kReleased = "released";  // cancelled: its dose (if any) went back
inline constexpr std::string_view kVoided = "voided";      // cancelled before it was assigned

struct Assignment {
    int64_t id = 0;  // the reservation's id
    int64_t vaccineId = 0;
    std::string state;
    std::string reason;
    std::string updatedAt;
};
BOOST_DESCRIBE_STRUCT(Assignment, (), (id, vaccineId, state, reason, updatedAt))

// An approved reservation is assigned a dose only when nothing was recorded for it yet (not a
// redelivery, not cancelled first).
bool ShouldAssign(const std::optional<Assignment>& prior);

// What a cancel request does with the reservation's assignment.
enum class Release {
    kReturnDose,      // assigned: the dose goes back to its lot
    kReleaseNothing,  // never assigned (failed, or the cancel came first): released with nothing to return
    kNone,            // released already: a repeat does nothing
};
Release ReleaseOf(const std::optional<Assignment>& prior);

// A lot is deleted only while no active assignment holds one of its doses.
Status CheckRemovable(int64_t lot_id, int64_t doses_held);

}  // namespace reservo::approval_system::stock
