// Vaccine management use cases, each inside one transaction (a Tx from the unit of work):
// AssignVaccine (the policy on ReservationApproved → VaccineAssigned or VaccineAssignFailed),
// ReleaseVaccine (on ReservationCancelRequested → VaccineReleased) and the guard on removing a lot.
// Registering and editing lots are the resource's defaults (adapters.cpp) with this context's rules.
#pragma once

#include <vector>

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/vaccine-approval/vaccine-mgmt/domain.hpp"

namespace reservo::approval_system::stock {

// Port: the stock queries that are not by id (SQL in adapters).
class Stock {
  public:
    virtual ~Stock() = default;
    // The hospital's lots with a dose left (the candidates for an assignment).
    virtual Result<std::vector<VaccineLot>> LotsWithDoses(store::Database& db, const std::string& hospital) = 0;
    // Doses of the lot held by active assignments.
    virtual Result<int64_t> HeldFrom(store::Database& db, int64_t lot_id) = 0;
};

class VaccineAssignments final {
  public:
    VaccineAssignments(const store::Table<VaccineLot>& lots, const store::Table<Assignment>& assignments, Stock& stock)
        : lots_(lots), assignments_(assignments), stock_(stock) {}

    // Assigns one dose once per reservation and publishes the outcome.
    Status AssignVaccine(service::Tx& tx, const AssignmentRequest& request);
    // Gives the reservation's dose back once and publishes VaccineReleased (also when nothing was
    // assigned, so that the cancellation completes); a repeat does nothing.
    Status ReleaseVaccine(service::Tx& tx, int64_t reservationId);
    // FailedPrecondition while active assignments hold doses of the lot.
    Status CheckRemoval(service::Tx& tx, const VaccineLot& lot);

  private:
    Status Record(service::Tx& tx, Assignment assignment, bool exists);

    const store::Table<VaccineLot>& lots_;
    const store::Table<Assignment>& assignments_;
    Stock& stock_;
};

}  // namespace reservo::approval_system::stock
