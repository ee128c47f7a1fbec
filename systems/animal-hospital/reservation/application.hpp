// Reservation use cases.
//
// Reserving a visit (VisitBooking::Reserve) is a saga (kit/service/saga.hpp), because "no
// diagnosis available → no reservation":
//   1. a transaction opens the pending step; its id is the reservation id;
//   2. diagnosis is asked synchronously to open the medical record (POST /medicalRecords), keyed
//      by that id, so a retry opens one record;
//   3. opened → the reservation is stored and ReservationReserved published in one transaction —
//      unless the request's deadline passed meanwhile (abort); refused → the step is dropped;
//      outcome unknown (timeout, 5xx, circuit) → abort, which publishes ReservationAborted so that
//      diagnosis cancels the record it may have opened and opens none later.
// A pending step left by a crash is aborted the same way by the saga's sweeper. An open circuit
// refuses at once (503), before any step is opened.
//
// Changing and canceling are plain commands on the stored reservation, each publishing its event
// (ReservationChanged, ReservationCanceled) in the same transaction.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/saga.hpp"
#include "kit/store/table.hpp"
#include "systems/animal-hospital/events.hpp"
#include "systems/animal-hospital/reservation/domain.hpp"

namespace reservo::animal_hospital::booking {

// The reservation's use cases inside one transaction each.
class Reservations final {
  public:
    explicit Reservations(const store::Table<Reservation>& reservations) : reservations_(reservations) {}

    // Step 3: the record was opened — stored, ReservationReserved.
    Result<Reservation> Store(service::Tx& tx, int64_t id, const ReserveCommand& command);
    // PATCH: ReservationChanged when something changed.
    Result<Reservation> ChangeReservation(service::Tx& tx, int64_t id, const ChangeCommand& command);
    // DELETE: ReservationCanceled, once.
    Result<Reservation> CancelReservation(service::Tx& tx, int64_t id);

    const store::Table<Reservation>& table() const { return reservations_; }

  private:
    const store::Table<Reservation>& reservations_;
};

// The reserve-visit saga around the synchronous call to diagnosis.
class VisitBooking final {
  public:
    VisitBooking(Reservations& reservations, service::UnitOfWork& uow, service::Dependency& diagnosis,
                 std::chrono::milliseconds abandon_after);

    http::Awaitable<Result<Reservation>> Reserve(ReserveCommand command);

  private:
    Reservations& reservations_;
    service::UnitOfWork& uow_;
    service::Dependency& diagnosis_;
    service::Saga reserve_;
};

}  // namespace reservo::animal_hospital::booking
