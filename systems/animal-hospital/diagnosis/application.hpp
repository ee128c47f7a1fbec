// Diagnosis use cases, each inside one transaction (a Tx from the unit of work): Open
// (synchronous, for reservation, keyed by the reservation id so a retry opens one record),
// RecordTreatment (→ Treated, once), and the policies that follow the reservation: its date
// changed, it was canceled, or its saga was aborted.
#pragma once

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/animal-hospital/diagnosis/domain.hpp"
#include "systems/animal-hospital/events.hpp"

namespace reservo::animal_hospital::care {

struct OpenResult {
    MedicalRecord record;
    bool created = false;  // false: a repeat answered with the record opened before
};

class Records final {
  public:
    Records(const store::Table<MedicalRecord>& records, const store::Table<ClosedReservation>& closed)
        : records_(records), closed_(closed) {}

    // Opens the reservation's record once; a repeat answers the same record.
    Result<OpenResult> Open(service::Tx& tx, const OpenRequest& request);
    // PATCH: what the doctor recorded; Treated when the treatment is recorded now.
    Result<MedicalRecord> RecordTreatment(service::Tx& tx, int64_t id, const RecordChange& change);

    Status Reschedule(service::Tx& tx, const ReservationChanged& changed);
    Status CancelFor(service::Tx& tx, const ReservationCanceled& canceled);
    // The aborted reservation's record, if one was opened, is canceled; none can be opened later.
    Status Close(service::Tx& tx, const ReservationAborted& aborted);

  private:
    const store::Table<MedicalRecord>& records_;
    const store::Table<ClosedReservation>& closed_;
};

}  // namespace reservo::animal_hospital::care
