#include "systems/vaccine-approval/vaccine-mgmt/application.hpp"

#include "kit/core/clock.hpp"
#include "kit/core/try.hpp"
#include "systems/vaccine-approval/events.hpp"

namespace reservo::approval_system::stock {

Status VaccineAssignments::Record(service::Tx& tx, Assignment a, bool exists) {
    a.updatedAt = NowIso8601();
    if (exists) return assignments_.Update(tx.db(), a);
    auto inserted = assignments_.Insert(tx.db(), std::move(a));
    return inserted ? Ok() : Fail(inserted.error());
}

Status VaccineAssignments::AssignVaccine(service::Tx& tx, const AssignmentRequest& request) {
    auto& db = tx.db();
    auto prior = RESERVO_TRY(assignments_.Find(db, request.reservationId));
    if (!ShouldAssign(prior)) return Ok();
    auto candidates = RESERVO_TRY(stock_.LotsWithDoses(db, request.hospital));
    auto chosen = ChooseLot(candidates, request);
    if (!chosen) {
        RESERVO_TRY(Record(
            tx, {.id = request.reservationId, .state = std::string(kFailed), .reason = chosen.error().message}, false));
        return tx.Publish(VaccineAssignFailed{request.reservationId, chosen.error().message});
    }
    VaccineLot taken = RESERVO_TRY(TakeOne(std::move(*chosen)));
    RESERVO_TRY(lots_.Update(db, taken));
    RESERVO_TRY(
        Record(tx, {.id = request.reservationId, .vaccineId = taken.id, .state = std::string(kAssigned)}, false));
    return tx.Publish(VaccineAssigned{request.reservationId, taken.id, taken.vaccineType, taken.expiryDate.iso,
                                      taken.manufactureDate.iso});
}

Status VaccineAssignments::ReleaseVaccine(service::Tx& tx, int64_t reservationId) {
    auto& db = tx.db();
    auto prior = RESERVO_TRY(assignments_.Find(db, reservationId));
    switch (ReleaseOf(prior)) {
        case Release::kNone:
            return Ok();
        case Release::kReleaseNothing: {
            Assignment a = prior.value_or(Assignment{.id = reservationId});
            a.state = std::string(prior ? kReleased : kVoided);
            RESERVO_TRY(Record(tx, std::move(a), prior.has_value()));
            return tx.Publish(VaccineReleased{reservationId, std::nullopt});
        }
        case Release::kReturnDose: {
            // CheckRemoval keeps a lot with assigned doses; should one be gone all the same, the release completes.
            if (auto lot = RESERVO_TRY(lots_.Find(db, prior->vaccineId))) {
                RESERVO_TRY(lots_.Update(db, ReturnOne(std::move(*lot))));
            }
            Assignment a = *prior;
            a.state = std::string(kReleased);
            RESERVO_TRY(Record(tx, a, true));
            return tx.Publish(VaccineReleased{reservationId, prior->vaccineId});
        }
    }
    return Ok();
}

Status VaccineAssignments::CheckRemoval(service::Tx& tx, const VaccineLot& lot) {
    return CheckRemovable(lot.id, RESERVO_TRY(stock_.HeldFrom(tx.db(), lot.id)));
}

}  // namespace reservo::approval_system::stock
