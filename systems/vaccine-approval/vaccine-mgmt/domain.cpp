#include "systems/vaccine-approval/vaccine-mgmt/domain.hpp"

#include <algorithm>
#include <tuple>

namespace reservo::approval_system::stock {
namespace {

bool SameType(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

// The checks in order; a lot's rank is how many it passes.
enum Stage { kAtHospital, kHasDose, kOfType, kManufactured, kUnexpired, kAccepted };

Stage Rank(const VaccineLot& lot, const AssignmentRequest& r) {
    if (lot.hospital != r.hospital) return kAtHospital;
    if (lot.qty <= 0) return kHasDose;
    if (r.vaccineType && !SameType(lot.vaccineType, *r.vaccineType)) return kOfType;
    if (lot.manufactureDate.iso > r.reservationDate) return kManufactured;
    if (lot.expiryDate.iso <= r.reservationDate) return kUnexpired;
    return kAccepted;
}

std::string Reason(Stage failed, const AssignmentRequest& r) {
    std::string doses = r.vaccineType ? *r.vaccineType + " doses" : "doses";
    switch (failed) {
        case kAtHospital:  // no lot there at all: not the same as lots that ran out
            return "no vaccine lot at " + r.hospital;
        case kHasDose:
            return "no doses left at " + r.hospital;
        case kOfType:
            return "no " + doses + " left at " + r.hospital;
        case kManufactured:
            return "no " + doses + " at " + r.hospital + " manufactured by " + r.reservationDate;
        case kUnexpired:
            return "no " + doses + " at " + r.hospital + " that expire after " + r.reservationDate;
        case kAccepted:
            break;
    }
    return "";
}

}  // namespace

Status ValidateLot(const VaccineLot& lot) {
    if (auto st = json::ValidateName("vaccineType", lot.vaccineType, 100); !st) return st;
    if (auto st = json::ValidateName("hospital", lot.hospital, 200); !st) return st;
    if (lot.qty < 0) return Fail(Code::kInvalidArgument, "qty: must not be negative");
    if (lot.qty > kMaxQty) return Fail(Code::kInvalidArgument, "qty: at most " + std::to_string(kMaxQty));
    if (lot.expiryDate.iso <= lot.manufactureDate.iso) {
        return Fail(Code::kInvalidArgument, "expiryDate: must be after manufactureDate " + lot.manufactureDate.iso);
    }
    return Ok();
}

Status CheckLot(const VaccineLot& lot, const AssignmentRequest& r) {
    Stage stage = Rank(lot, r);
    if (stage == kAccepted) return Ok();
    return Fail(Code::kFailedPrecondition, "lot " + std::to_string(lot.id) + ": " + Reason(stage, r));
}

Result<VaccineLot> ChooseLot(std::span<const VaccineLot> lots, const AssignmentRequest& r) {
    const VaccineLot* best = nullptr;
    Stage closest = kAtHospital;
    for (const VaccineLot& lot : lots) {
        Stage stage = Rank(lot, r);
        if (stage != kAccepted) {
            closest = std::max(closest, stage);
            continue;
        }
        if (!best || std::tie(lot.expiryDate.iso, lot.id) < std::tie(best->expiryDate.iso, best->id)) best = &lot;
    }
    if (!best) return Fail(Code::kFailedPrecondition, Reason(closest, r));
    return *best;
}

Result<VaccineLot> TakeOne(VaccineLot lot) {
    if (lot.qty <= 0) return Fail(Code::kFailedPrecondition, "no doses left in vaccine lot " + std::to_string(lot.id));
    --lot.qty;
    return lot;
}

VaccineLot ReturnOne(VaccineLot lot) {
    ++lot.qty;
    return lot;
}

bool ShouldAssign(const std::optional<Assignment>& prior) { return !prior; }

Release ReleaseOf(const std::optional<Assignment>& prior) {
    if (!prior || prior->state == kFailed) return Release::kReleaseNothing;
    if (prior->state == kAssigned) return Release::kReturnDose;
    return Release::kNone;
}

Status CheckRemovable(int64_t lot_id, int64_t doses_held) {
    if (doses_held == 0) return Ok();
    return Fail(Code::kFailedPrecondition, "lot " + std::to_string(lot_id) + " has " + std::to_string(doses_held) +
                                               " doses assigned to active reservations");
}

}  // namespace reservo::approval_system::stock
