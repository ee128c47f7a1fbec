#include "systems/vaccine/vaccine-mgmt/application.hpp"

#include "kit/core/try.hpp"

namespace reservo::vaccine::mgmt {

Result<VaccineLot> VaccineLots::TakeDose(service::Tx& tx, const DoseRequest& request) {
    auto& db = tx.db();
    if (!request.reservationId.empty()) {
        if (auto prior = RESERVO_TRY(ledger_.TakingOf(db, request.reservationId))) {
            RESERVO_TRY(CheckRepeatTake(prior->state));
            VaccineLot taken_from = RESERVO_TRY(lots_.Load(db, prior->vaccineId));
            RESERVO_TRY(CheckSameLot(request, taken_from));
            return taken_from;  // the same dose, not another one
        }
    }
    VaccineLot lot;
    if (request.vaccineId) {
        lot = RESERVO_TRY(lots_.Load(db, *request.vaccineId));
    } else {
        // No lot at all reads differently from lots that ran out ("no doses left in vaccine lot 3").
        auto found = RESERVO_TRY(ledger_.FirstLot(db, request));
        if (!found) {
            std::string none = "no lot of ";
            none.append(request.vaccineType).append(" at ").append(request.hospital);
            none.append(" on ").append(request.availableDate);
            return Fail(Code::kFailedPrecondition, std::move(none));
        }
        lot = std::move(*found);
    }
    VaccineLot taken = RESERVO_TRY(TakeOne(std::move(lot)));
    RESERVO_TRY(lots_.Update(db, taken));
    if (!request.reservationId.empty()) {
        RESERVO_TRY(ledger_.Record(db, {request.reservationId, taken.id, DoseState::kTaken}));
    }
    return taken;
}

Status VaccineLots::ReleaseDose(service::Tx& tx, const std::string& reservationId) {
    auto& db = tx.db();
    auto prior = RESERVO_TRY(ledger_.TakingOf(db, reservationId));
    // The release overtook the take (or the take never happened): void it so a late take fails.
    if (!prior) return ledger_.Record(db, {reservationId, 0, DoseState::kVoided});
    if (prior->state != DoseState::kTaken) return Ok();  // given back already
    if (auto lot = RESERVO_TRY(lots_.Find(db, prior->vaccineId))) {
        lot->qty += 1;
        RESERVO_TRY(lots_.Update(db, *lot));
    }
    return ledger_.Record(db, {reservationId, prior->vaccineId, DoseState::kReturned});
}

Status VaccineLots::CheckRemoval(service::Tx& tx, const VaccineLot& lot) {
    return CheckRemovable(lot.id, RESERVO_TRY(ledger_.HeldFrom(tx.db(), lot.id)));
}

}  // namespace reservo::vaccine::mgmt
