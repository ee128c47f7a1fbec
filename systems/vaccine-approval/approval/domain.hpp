// Approval domain: whether a customer's reservation request is approved. Pure rules, no I/O.
//
// The seed asks approval to let only approved requests become reservations (a synchronous call) and
// is silent on what approval checks; these are the rules a customer would expect of it:
//   - the request names a customer (positive id, a name), a hospital and a calendar date (else 400);
//   - the date is today or later, and no further ahead than the booking horizon (else refused, 409);
//   - a customer holds one upcoming reservation at a time: another approved request of theirs whose
//     date has not passed refuses the new one (409) until that reservation is rejected or cancelled.
// One approval per reservation id: a repeat of the same request answers the first decision.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::approval_system::approvals {

inline constexpr std::string_view kApproved = "approved";
// The reservation gave up before it was stored (or never asked): the approval claims nothing.
inline constexpr std::string_view kWithdrawn = "withdrawn";
// The reservation was rejected or cancelled: the approval no longer holds the customer's turn.
inline constexpr std::string_view kClosed = "closed";

inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxHospitalChars = 200;

// An approval decision (the aggregate): the resource `/approvals`.
struct Approval {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    json::Date reservationDate;
    std::string status;
    std::string decidedAt;  // ISO-8601
};
BOOST_DESCRIBE_STRUCT(Approval, (),
                      (id, reservationId, customerId, customerName, hospital, reservationDate, status, decidedAt))

// What reservation asks approval for, keyed by the reservation id it will store.
struct ApprovalRequest {
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string hospital;
    std::string reservationDate;  // YYYY-MM-DD
};

struct ApprovalPolicy {
    int64_t booking_horizon_days = 180;  // how far ahead a date may be booked
};

// `iso` (YYYY-MM-DD) plus `days`; InvalidArgument for a date that is not one.
Result<std::string> AddDays(std::string_view iso, int64_t days);

// The dates open for booking today: `GET /approvals/bookingWindow` (what a date picker offers).
struct BookingWindow {
    std::string firstDate;  // today
    std::string lastDate;   // today + the booking horizon
    int64_t horizonDays = 0;
};
BOOST_DESCRIBE_STRUCT(BookingWindow, (), (firstDate, lastDate, horizonDays))

Result<BookingWindow> WindowOf(std::string_view today, const ApprovalPolicy& policy);

// The request's shape: InvalidArgument naming the field.
Status ValidateRequest(const ApprovalRequest& request);

// The decision on a new request, given the customer's other approvals and today's date (YYYY-MM-DD):
// an approved Approval, or FailedPrecondition saying why not.
Result<Approval> Decide(const ApprovalRequest& request, std::span<const Approval> customers_approvals,
                        std::string_view today, const ApprovalPolicy& policy);

// A request whose reservation id was decided before: the same approval again (idempotent), unless it
// was withdrawn or closed meanwhile, or it is not the same request.
Result<Approval> Repeat(const Approval& decided, const ApprovalRequest& request);

// The reservation it approved was never stored: approved → withdrawn. Whether it changed.
bool Withdraw(Approval& approval);
// The reservation it approved was rejected or cancelled: approved → closed. Whether it changed.
bool Close(Approval& approval);

}  // namespace reservo::approval_system::approvals
