#include "systems/vaccine/vaccine-mgmt/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::vaccine::mgmt {

std::string_view DoseStateName(DoseState s) {
    switch (s) {
        case DoseState::kTaken:
            return "taken";
        case DoseState::kReturned:
            return "returned";
        case DoseState::kVoided:
            return "voided";
    }
    return "taken";
}

std::optional<DoseState> ParseDoseState(std::string_view s) {
    if (s == "taken") return DoseState::kTaken;
    if (s == "returned") return DoseState::kReturned;
    if (s == "voided") return DoseState::kVoided;
    return std::nullopt;
}

Status Register(VaccineLot& lot) {
    lot.vaccineStatus = std::string(kRegistered);
    return Ok();
}

Status ValidateLot(const VaccineLot& lot) {
    if (auto st = json::ValidateName("vaccineType", lot.vaccineType, 100); !st) return st;
    if (auto st = json::ValidateName("hospital", lot.hospital, 200); !st) return st;
    if (lot.qty < 0) return Fail(Code::kInvalidArgument, "qty: must not be negative");
    if (lot.qty > kMaxQty) return Fail(Code::kInvalidArgument, "qty: at most " + std::to_string(kMaxQty));
    return Ok();
}

Result<VaccineLot> TakeOne(VaccineLot lot) {
    if (lot.qty <= 0) return Fail(Code::kFailedPrecondition, "no doses left in vaccine lot " + std::to_string(lot.id));
    --lot.qty;
    return lot;
}

Status CheckRepeatTake(DoseState previous) {
    if (previous == DoseState::kTaken) return Ok();
    return Fail(Code::kFailedPrecondition, "the reservation was cancelled; its dose is not taken again");
}

Status CheckSameLot(const DoseRequest& request, const VaccineLot& taken_from) {
    bool same = request.vaccineId ? *request.vaccineId == taken_from.id
                                  : request.hospital == taken_from.hospital &&
                                        request.availableDate == taken_from.availableDate.iso &&
                                        request.vaccineType == taken_from.vaccineType;
    if (same) return Ok();
    return Fail(Code::kFailedPrecondition, "reservation " + request.reservationId + " already took a dose from lot " +
                                               std::to_string(taken_from.id));
}

Status CheckRemovable(int64_t lot_id, int64_t doses_taken) {
    if (doses_taken == 0) return Ok();
    return Fail(Code::kFailedPrecondition, "lot " + std::to_string(lot_id) + " has doses taken by active reservations");
}

}  // namespace reservo::vaccine::mgmt
