#include "systems/vaccine/reservation/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::vaccine::booking {

Result<CancelOutcome> Cancel(Reservation& r) {
    if (r.reservationStatus == kCancelled) return CancelOutcome::kAlreadyCancelled;
    r.reservationStatus = std::string(kCancelled);
    return CancelOutcome::kCancelled;
}

Result<bool> IsCancelRequest(std::string_view requested, std::string_view current) {
    if (requested == "cancelled" || requested == "canceled") return true;
    if (requested == current) return false;
    if (requested == kReserved)
        return Fail(Code::kFailedPrecondition, "a cancelled reservation cannot be reserved again");
    return Fail(Code::kInvalidArgument, "reservationStatus: only \"cancelled\" can be requested");
}

Status ValidateUser(int64_t userId) {
    if (userId <= 0) return Fail(Code::kInvalidArgument, "userId: must be a positive number");
    return Ok();
}

Status ValidatePlaceAndType(std::string_view hospital, std::string_view vaccineType) {
    if (json::IsBlank(hospital)) return Fail(Code::kInvalidArgument, "hospital: must not be blank");
    if (json::IsBlank(vaccineType)) return Fail(Code::kInvalidArgument, "vaccineType: must not be blank");
    return Ok();
}

}  // namespace reservo::vaccine::booking
