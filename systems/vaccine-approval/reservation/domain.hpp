// Reservation domain: a reservation exists only once approval approved it; vaccine-mgmt then
// completes it (a dose assigned) or rejects it; a customer may ask to cancel it, and it is cancelled
// when vaccine-mgmt has given the dose back. Pure rules, no I/O.
//
//   approved ──VaccineAssigned──▶ completed ──cancel──▶ cancelRequested ──VaccineReleased──▶ cancelled
//      │ └──VaccineAssignFailed──▶ rejected                   ▲
//      └──────────────cancel──────────────────────────────────┘
//
// A cancel requested before vaccine-mgmt answered wins: its later assignment (or failure) changes
// nothing, and its release cancels the reservation.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::approval_system::booking {

inline constexpr std::string_view kApproved = "approved";
inline constexpr std::string_view kCompleted = "completed";
inline constexpr std::string_view kRejected = "rejected";
inline constexpr std::string_view kCancelRequested = "cancelRequested";
inline constexpr std::string_view kCancelled = "cancelled";

inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxHospitalChars = 200;
inline constexpr size_t kMaxTypeChars = 100;

// A customer's vaccination reservation (the aggregate): the resource `/reservations`.
struct Reservation {
    int64_t id = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    json::Date reservationDate;
    std::string status;
    int64_t approvalId = 0;
    // The vaccine: the type asked for (if any) until one is assigned; cleared when cancelled.
    std::optional<std::string> vaccineType;
    std::optional<int64_t> vaccineId;  // the lot
    std::optional<json::Date> expiryDate;
    std::optional<json::Date> manufactureDate;
    std::optional<std::string> rejectionReason;
};
BOOST_DESCRIBE_STRUCT(Reservation, (),
                      (id, customerId, customerName, hospital, reservationDate, status, approvalId, vaccineType,
                       vaccineId, expiryDate, manufactureDate, rejectionReason))

// What a customer asks for: `POST /reservations`.
struct ReservationRequest {
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    std::string reservationDate;  // YYYY-MM-DD
    std::optional<std::string> vaccineType;
};

// The dose vaccine-mgmt assigned.
struct AssignedVaccine {
    int64_t vaccineId = 0;
    std::string vaccineType;
    std::string expiryDate;
    std::string manufactureDate;
};

// The request's shape (InvalidArgument naming the field); approval decides the rest.
Status ValidateRequest(const ReservationRequest& request);

// The reservation as stored once approval approved the request.
Reservation Approve(int64_t id, const ReservationRequest& request, int64_t approvalId);

// approved → completed, with the vaccine. Whether it changed (a repeat, or a cancel that came first: no).
bool Complete(Reservation& r, const AssignedVaccine& vaccine);
// approved → rejected, with the reason. Whether it changed.
bool Reject(Reservation& r, std::string reason);

// Outcome of a cancel request: whether a ReservationCancelRequested event is due.
enum class CancelOutcome { kRequested, kAlreadyRequested };
// approved or completed → cancelRequested; a rejected reservation has nothing to cancel (FailedPrecondition).
Result<CancelOutcome> RequestCancel(Reservation& r);
// cancelRequested → cancelled, the vaccine fields cleared. Whether it changed.
bool ConfirmCancel(Reservation& r);

// A status requested through PATCH: "cancelRequested" (also "cancelled"/"canceled") asks to cancel;
// the current status changes nothing; any other is refused (409 for a status of the flow, else 400).
Result<bool> IsCancelRequest(std::string_view requested, std::string_view current);

}  // namespace reservo::approval_system::booking
