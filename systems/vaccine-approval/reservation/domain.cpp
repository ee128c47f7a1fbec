#include "systems/vaccine-approval/reservation/domain.hpp"

namespace reservo::approval_system::booking {

Status ValidateRequest(const ReservationRequest& r) {
    if (r.customerId <= 0) return Fail(Code::kInvalidArgument, "customerId: must be a positive number");
    if (auto st = json::ValidateName("customerName", r.customerName, kMaxNameChars); !st) return st;
    if (auto st = json::ValidateName("hospital", r.hospital, kMaxHospitalChars); !st) return st;
    if (r.vaccineType) {
        if (auto st = json::ValidateName("vaccineType", *r.vaccineType, kMaxTypeChars); !st) return st;
    }
    auto date = json::NormalizeDate(r.reservationDate);
    if (!date || *date != r.reservationDate)
        return Fail(Code::kInvalidArgument, "reservationDate: expected YYYY-MM-DD");
    return Ok();
}

Reservation Approve(int64_t id, const ReservationRequest& r, int64_t approvalId) {
    return Reservation{.id = id,
                       .customerId = r.customerId,
                       .customerName = r.customerName,
                       .hospital = r.hospital,
                       .reservationDate = {r.reservationDate},
                       .status = std::string(kApproved),
                       .approvalId = approvalId,
                       .vaccineType = r.vaccineType};
}

bool Complete(Reservation& r, const AssignedVaccine& v) {
    if (r.status != kApproved) return false;
    r.status = std::string(kCompleted);
    r.vaccineId = v.vaccineId;
    r.vaccineType = v.vaccineType;
    r.expiryDate = json::Date{v.expiryDate};
    r.manufactureDate = json::Date{v.manufactureDate};
    return true;
}

bool Reject(Reservation& r, std::string reason) {
    if (r.status != kApproved) return false;
    r.status = std::string(kRejected);
    r.rejectionReason = std::move(reason);
    return true;
}

Result<CancelOutcome> RequestCancel(Reservation& r) {
    if (r.status == kCancelRequested || r.status == kCancelled) return CancelOutcome::kAlreadyRequested;
    if (r.status == kRejected) {
        return Fail(Code::kFailedPrecondition,
                    "reservation " + std::to_string(r.id) + " was rejected; there is nothing to cancel");
    }
    r.status = std::string(kCancelRequested);
    return CancelOutcome::kRequested;
}

bool ConfirmCancel(Reservation& r) {
    if (r.status != kCancelRequested) return false;
    r.status = std::string(kCancelled);
    r.vaccineType.reset();
    r.vaccineId.reset();
    r.expiryDate.reset();
    r.manufactureDate.reset();
    return true;
}

Result<bool> IsCancelRequest(std::string_view requested, std::string_view current) {
    // A cancel (RequestCancel tells a repeat from a new one).
    if (requested == kCancelRequested || requested == kCancelled || requested == "canceled") return true;
    if (requested == current) return false;
    if (requested == kApproved || requested == kCompleted || requested == kRejected) {
        return Fail(Code::kFailedPrecondition, "status: \"" + std::string(requested) +
                                                   "\" is reached through approval and vaccine-mgmt; only "
                                                   "\"cancelRequested\" can be requested");
    }
    return Fail(Code::kInvalidArgument, "status: only \"cancelRequested\" can be requested");
}

}  // namespace reservo::approval_system::booking
