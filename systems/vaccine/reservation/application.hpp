// Reservation use cases. ReserveVaccine is a saga (kit/service/saga.hpp):
//   1. a pending step allocates the reservation id (invisible to readers);
//   2. a dose is taken from vaccine-mgmt synchronously, keyed by that id (idempotent there);
//   3. taken → the reservation is stored and VaccineReserved published in one transaction —
//      unless the request's deadline passed meanwhile (its client was told the outcome is
//      unknown): abort; refused → the step is dropped; outcome unknown (timeout, 5xx) → abort,
//      which publishes ReservationAborted so vaccine-mgmt gives back (or voids) that id's dose.
// A pending step left by a crash is aborted the same way by the saga's sweeper.
#pragma once

#include <optional>
#include <string>

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/saga.hpp"
#include "kit/store/table.hpp"
#include "systems/vaccine/reservation/domain.hpp"

namespace reservo::vaccine::booking {

struct ReserveCommand {
    int64_t userId = 0;
    std::optional<int64_t> vaccineId;
    std::string hospital;
    std::string reservedDate;
    std::string vaccineType;
};

class Reservations final {
  public:
    Reservations(const store::Table<Reservation>& reservations, service::UnitOfWork& uow,
                 service::Dependency& vaccine_mgmt, std::chrono::milliseconds abandon_after);

    http::Awaitable<Result<Reservation>> ReserveVaccine(ReserveCommand command);
    // Cancels once (a repeat answers the cancelled reservation); its dose comes back by event.
    Result<Reservation> CancelReservation(service::Tx& tx, int64_t id);

  private:
    const store::Table<Reservation>& reservations_;
    service::UnitOfWork& uow_;
    service::Dependency& vaccine_mgmt_;
    service::Saga reserve_;
};

}  // namespace reservo::vaccine::booking
