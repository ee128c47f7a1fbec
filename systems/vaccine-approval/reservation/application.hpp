// Reservation use cases. ReserveVaccination is a saga (kit/service/saga.hpp):
//   1. a pending step allocates the reservation id (invisible to readers);
//   2. approval is asked synchronously (POST /approvals), keyed by that id (idempotent there);
//   3. approved → the reservation is stored as `approved` and ReservationApproved published in one
//      transaction — unless the request's deadline passed meanwhile (its client was told the outcome
//      is unknown): abort; refused → the step is dropped (409, or 400 for input approval refuses);
//      outcome unknown (down, slow, 5xx) → abort, which publishes ReservationAborted so approval
//      withdraws whatever it may have approved under that id; the caller gets 503.
// A pending step left by a crash is aborted the same way by the saga's sweeper.
// The rest of the flow is choreographed by events from vaccine-mgmt, recorded on the same saga's
// timeline (GET /actuator/sagas/{id}): assigned → completed, failed → rejected, released → cancelled.
#pragma once

#include <chrono>
#include <string>

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/saga.hpp"
#include "kit/store/table.hpp"
#include "systems/vaccine-approval/reservation/domain.hpp"

namespace reservo::approval_system::booking {

class Reservations final {
  public:
    Reservations(const store::Table<Reservation>& reservations, service::UnitOfWork& uow, service::Dependency& approval,
                 std::chrono::milliseconds abandon_after);

    http::Awaitable<Result<Reservation>> ReserveVaccination(ReservationRequest request);
    // Asks once to cancel (a repeat answers the reservation as it is); the dose comes back by event.
    Result<Reservation> RequestCancellation(service::Tx& tx, int64_t id);

    // Policies on vaccine-mgmt's answers; each changes the reservation at most once.
    Status CompleteReservation(service::Tx& tx, int64_t id, const AssignedVaccine& vaccine);
    Status RejectReservation(service::Tx& tx, int64_t id, std::string reason);
    Status ConfirmCancellation(service::Tx& tx, int64_t id);

  private:
    const store::Table<Reservation>& reservations_;
    service::UnitOfWork& uow_;
    service::Dependency& approval_;
    service::Saga reserve_;
};

}  // namespace reservo::approval_system::booking
