#include "systems/animal-hospital/diagnosis/application.hpp"

#include "kit/core/clock.hpp"
#include "kit/core/try.hpp"

namespace reservo::animal_hospital::care {
namespace {

Treated TreatedOf(const MedicalRecord& r) {
    return {r.id, r.reservationId, r.doctor, r.medicalOpinion, r.treatment, r.status};
}

}  // namespace

Result<OpenResult> Records::Open(service::Tx& tx, const OpenRequest& request) {
    RESERVO_TRY(ValidateOpen(request));
    auto& db = tx.db();
    auto prior = RESERVO_TRY(records_.FindBy(db, "reservationId", request.reservationId));
    auto closed = RESERVO_TRY(closed_.Find(db, request.reservationId));
    if (RESERVO_TRY(CheckOpen(prior, closed, request)) == OpenOutcome::kRepeat) return OpenResult{*prior, false};
    MedicalRecord opened = RESERVO_TRY(records_.Insert(db, Opened(request)));
    if (opened.status == kTreated) RESERVO_TRY(tx.Publish(TreatedOf(opened)));
    return OpenResult{std::move(opened), true};
}

Result<MedicalRecord> Records::RecordTreatment(service::Tx& tx, int64_t id, const RecordChange& change) {
    MedicalRecord r = RESERVO_TRY(records_.Load(tx.db(), id));
    bool treated = RESERVO_TRY(Record(r, change));
    RESERVO_TRY(records_.Update(tx.db(), r));
    if (treated) RESERVO_TRY(tx.Publish(TreatedOf(r)));
    return r;
}

Status Records::Reschedule(service::Tx& tx, const ReservationChanged& e) {
    auto found = RESERVO_TRY(records_.FindBy(tx.db(), "reservationId", e.id));
    if (!found || !care::Reschedule(*found, e.reservationDate)) return Ok();
    return records_.Update(tx.db(), *found);
}

Status Records::CancelFor(service::Tx& tx, const ReservationCanceled& e) {
    auto found = RESERVO_TRY(records_.FindBy(tx.db(), "reservationId", e.id));
    if (!found || !CancelRecord(*found)) return Ok();
    return records_.Update(tx.db(), *found);
}

Status Records::Close(service::Tx& tx, const ReservationAborted& e) {
    auto& db = tx.db();
    auto found = RESERVO_TRY(records_.FindBy(db, "reservationId", e.reservationId));
    if (found && CancelRecord(*found)) RESERVO_TRY(records_.Update(db, *found));
    if (RESERVO_TRY(closed_.Find(db, e.reservationId))) return Ok();
    RESERVO_TRY(closed_.Insert(db, ClosedReservation{e.reservationId, NowIso8601()}));
    return Ok();
}

}  // namespace reservo::animal_hospital::care
