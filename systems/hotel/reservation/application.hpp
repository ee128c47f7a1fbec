// Reservation use cases.
//
// Reserving a room (RoomBooking::ReserveRoom) is a saga (kit/service/saga.hpp):
//   1. one transaction checks the room is known and its dates free, opens the pending step (its
//      id is the reservation id) and holds the dates for it — a concurrent request for an
//      overlapping stay finds the hold and is refused (409) before any payment is attempted;
//   2. payment is asked synchronously (POST /payments), keyed by that id (a retry pays once);
//   3. paid → the reservation is stored, its hold booked and ReservationCompleted published in one
//      transaction — unless the request's deadline passed meanwhile (abort); refused → the hold
//      is released and the step dropped; outcome unknown (timeout, 5xx, circuit) → abort, which
//      releases the hold and publishes ReservationAborted so payment voids what it may have taken.
// A pending step left by a crash is aborted the same way by the saga's sweeper.
//
// Cancelling is choreographed by events, each step recorded on the reservation's timeline:
// PATCH → ReservationCancelRequested → (payment refunds) PayCanceled → CancelCompleted, hold
// released → ReservationCanceled → (room) its dates are free.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/saga.hpp"
#include "kit/store/table.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/reservation/domain.hpp"
#include "systems/hotel/timeline.hpp"

namespace reservo::hotel::booking {

// Port: the rooms' held dates (SQL in reservation/holds_sql.cpp).
class Holds {
  public:
    virtual ~Holds() = default;
    // An active (held or booked) hold of the room sharing a night with `stay`, if any.
    virtual Result<std::optional<Hold>> Overlapping(store::Database& db, int64_t room_id, const Stay& stay) = 0;
    virtual Result<std::optional<Hold>> Of(store::Database& db, int64_t reservation_id) = 0;
    // Records a hold, or its new state.
    virtual Status Put(store::Database& db, const Hold& hold) = 0;
};

// A reservation being paid: its id (the saga step's) and its price.
struct Pending {
    int64_t id = 0;
    Quote quote;
};

// What payment answered for a paid reservation.
struct Receipt {
    int64_t paymentId = 0;
    std::string payStatus;
};

// Opens the saga step inside the caller's transaction; its id.
using OpenStep = std::function<Result<int64_t>(service::Tx&, const boost::json::object& data)>;

// The reservation's use cases inside one transaction each.
class Reservations final {
  public:
    Reservations(const store::Table<Reservation>& reservations, const store::Table<KnownRoom>& rooms, Holds& holds,
                 Timeline timeline)
        : reservations_(reservations), rooms_(rooms), holds_(holds), timeline_(std::move(timeline)) {}

    // Step 1: the room known, the dates free, the step opened and the dates held for it.
    Result<Pending> HoldStay(service::Tx& tx, const ReserveCommand& command, const OpenStep& open);
    // Step 3: paid — stored, booked, ReservationCompleted.
    Result<Reservation> Complete(service::Tx& tx, const ReserveCommand& command, const Pending& pending,
                                 const Receipt& receipt);
    // The dates held for a reservation that was not made are free again (once).
    Status ReleaseHold(service::Tx& tx, int64_t reservation_id);

    // PATCH {"reservStatus":"CancelRequest"}: ReservationCancelRequested, once.
    Result<Reservation> RequestCancellation(service::Tx& tx, int64_t id);
    // Payment refunded (PayCanceled): CancelCompleted, the hold released, ReservationCanceled — once.
    Status CompleteCancellation(service::Tx& tx, const PayCanceled& canceled);

    // The replica of room's rooms.
    Status KnowRoom(service::Tx& tx, KnownRoom room);
    Status ForgetRoom(service::Tx& tx, int64_t room_id, const std::string& room_no);

    const store::Table<Reservation>& table() const { return reservations_; }

  private:
    Status SetHold(service::Tx& tx, int64_t reservation_id, HoldState state);

    const store::Table<Reservation>& reservations_;
    const store::Table<KnownRoom>& rooms_;
    Holds& holds_;
    Timeline timeline_;
};

// The reserve-room saga around the synchronous payment.
class RoomBooking final {
  public:
    RoomBooking(Reservations& reservations, service::UnitOfWork& uow, service::Dependency& payment,
                std::chrono::milliseconds abandon_after);

    http::Awaitable<Result<Reservation>> ReserveRoom(ReserveCommand command);

  private:
    // Refused by payment: nothing was paid; the hold goes, then the step (an abort if the hold cannot).
    http::Awaitable<void> GiveUp(int64_t id, const std::string& why);

    Reservations& reservations_;
    service::UnitOfWork& uow_;
    service::Dependency& payment_;
    service::Saga reserve_;
};

}  // namespace reservo::hotel::booking
