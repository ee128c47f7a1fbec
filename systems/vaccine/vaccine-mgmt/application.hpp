// Vaccine management use cases, each inside one transaction (a Tx from the unit of work):
// TakeDose (synchronous, for reservation), ReleaseDose (the policy on ReservationCancelled and
// ReservationAborted) and the guard on removing a lot. Registering and editing lots are the
// resource's defaults (adapters.cpp) with this context's rules.
#pragma once

#include <optional>
#include <string>

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/vaccine/vaccine-mgmt/domain.hpp"

namespace reservo::vaccine::mgmt {

// Port: the dose ledger — which lot has doses, and what each reservation took (SQL in adapters).
class DoseLedger {
  public:
    virtual ~DoseLedger() = default;
    // The lot to take the request's dose from, among those of its hospital, date and type: the first
    // (by id) with a dose left, else the first of them (empty); none when there is no such lot.
    virtual Result<std::optional<VaccineLot>> FirstLot(store::Database& db, const DoseRequest& request) = 0;
    virtual Result<std::optional<DoseTaking>> TakingOf(store::Database& db, const std::string& reservationId) = 0;
    // Records a taking, or its new state.
    virtual Status Record(store::Database& db, const DoseTaking& taking) = 0;
    // Doses of the lot held by active reservations.
    virtual Result<int64_t> HeldFrom(store::Database& db, int64_t lot_id) = 0;
};

class VaccineLots final {
  public:
    VaccineLots(const store::Table<VaccineLot>& lots, DoseLedger& ledger) : lots_(lots), ledger_(ledger) {}

    // One dose; a repeat under the same reservation id answers the lot it took from (idempotent),
    // or FailedPrecondition when the request names another lot.
    Result<VaccineLot> TakeDose(service::Tx& tx, const DoseRequest& request);
    // Gives the reservation's dose back once; a release before the take voids the take.
    Status ReleaseDose(service::Tx& tx, const std::string& reservationId);
    // FailedPrecondition while active reservations hold doses of the lot.
    Status CheckRemoval(service::Tx& tx, const VaccineLot& lot);

  private:
    const store::Table<VaccineLot>& lots_;
    DoseLedger& ledger_;
};

}  // namespace reservo::vaccine::mgmt
