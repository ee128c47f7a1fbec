#include "systems/vaccine-approval/approval/domain.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace reservo::approval_system::approvals {

Result<std::string> AddDays(std::string_view iso, int64_t days) {
    auto normal = json::NormalizeDate(iso);
    if (!normal) return Fail(normal.error());
    const std::string& d = *normal;
    std::chrono::year_month_day ymd{std::chrono::year(std::stoi(d.substr(0, 4))),
                                    std::chrono::month(static_cast<unsigned>(std::stoi(d.substr(5, 2)))),
                                    std::chrono::day(static_cast<unsigned>(std::stoi(d.substr(8, 2))))};
    std::chrono::year_month_day out{std::chrono::sys_days(ymd) + std::chrono::days(days)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(out.year()), static_cast<unsigned>(out.month()),
                  static_cast<unsigned>(out.day()));
    return std::string(buf);
}

Result<BookingWindow> WindowOf(std::string_view today, const ApprovalPolicy& policy) {
    auto last = AddDays(today, policy.booking_horizon_days);
    if (!last) return Fail(last.error());
    return BookingWindow{std::string(today), *last, policy.booking_horizon_days};
}

Status ValidateRequest(const ApprovalRequest& r) {
    if (r.reservationId <= 0) return Fail(Code::kInvalidArgument, "reservationId: must be a positive number");
    if (r.customerId <= 0) return Fail(Code::kInvalidArgument, "customerId: must be a positive number");
    if (auto st = json::ValidateName("customerName", r.customerName, kMaxNameChars); !st) return st;
    if (auto st = json::ValidateName("hospital", r.hospital, kMaxHospitalChars); !st) return st;
    auto date = json::NormalizeDate(r.reservationDate);
    if (!date || *date != r.reservationDate)
        return Fail(Code::kInvalidArgument, "reservationDate: expected YYYY-MM-DD");
    return Ok();
}

Result<Approval> Decide(const ApprovalRequest& r, std::span<const Approval> others, std::string_view today,
                        const ApprovalPolicy& policy) {
    if (auto st = ValidateRequest(r); !st) return Fail(st.error());
    auto window = WindowOf(today, policy);
    if (!window) return Fail(window.error());
    if (r.reservationDate < window->firstDate) {
        return Fail(Code::kFailedPrecondition,
                    "reservationDate " + r.reservationDate + " has passed; choose today or a later date");
    }
    if (r.reservationDate > window->lastDate) {
        return Fail(Code::kFailedPrecondition, "reservationDate " + r.reservationDate + " is more than " +
                                                   std::to_string(policy.booking_horizon_days) +
                                                   " days ahead; bookings open up to " + window->lastDate);
    }
    for (const Approval& other : others) {
        if (other.customerId != r.customerId || other.reservationId == r.reservationId) continue;
        if (other.status == kApproved && other.reservationDate.iso >= today) {
            return Fail(Code::kFailedPrecondition, "customer " + std::to_string(r.customerId) +
                                                       " already holds reservation " +
                                                       std::to_string(other.reservationId) + " on " +
                                                       other.reservationDate.iso + "; cancel it first");
        }
    }
    return Approval{.reservationId = r.reservationId,
                    .customerId = r.customerId,
                    .customerName = r.customerName,
                    .hospital = r.hospital,
                    .reservationDate = {r.reservationDate},
                    .status = std::string(kApproved)};
}

Result<Approval> Repeat(const Approval& decided, const ApprovalRequest& r) {
    std::string which = "reservation " + std::to_string(r.reservationId);
    if (decided.status == kWithdrawn) return Fail(Code::kFailedPrecondition, which + " was withdrawn");
    if (decided.status == kClosed) return Fail(Code::kFailedPrecondition, which + " was closed");
    if (decided.customerId != r.customerId || decided.customerName != r.customerName ||
        decided.hospital != r.hospital || decided.reservationDate.iso != r.reservationDate) {
        return Fail(Code::kFailedPrecondition, which + " was approved for another request");
    }
    return decided;
}

bool Withdraw(Approval& a) {
    if (a.status != kApproved) return false;
    a.status = std::string(kWithdrawn);
    return true;
}

bool Close(Approval& a) {
    if (a.status != kApproved) return false;
    a.status = std::string(kClosed);
    return true;
}

}  // namespace reservo::approval_system::approvals
