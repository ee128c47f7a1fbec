#include "systems/vaccine/vaccine-mgmt/domain.hpp"

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

Status ValidateLot(const VaccineLot& lot) {
    if (lot.vaccineType.empty() || lot.vaccineType.size() > 100)
        return Fail(Code::kInvalidArgument, "vaccineType: 1 to 100 characters");
    if (lot.hospital.empty() || lot.hospital.size() > 200)
        return Fail(Code::kInvalidArgument, "hospital: 1 to 200 characters");
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

}  // namespace reservo::vaccine::mgmt
