#include "systems/hotel/reservation/application.hpp"

#include "kit/core/deadline.hpp"
#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::hotel::booking {
namespace {

// The paying call, keyed by the reservation id (POST /payments on payment).
http::Request PayRequest(const ReserveCommand& c, const Pending& p) {
    http::Request pay;
    pay.method = "POST";
    pay.target = "/payments";
    pay.headers.Set("Content-Type", "application/json");
    pay.body = json::Serialize(boost::json::object{{"reservationId", p.id},
                                                   {"userId", c.userId},
                                                   {"amount", p.quote.amount},
                                                   {"payMethod", c.payMethod},
                                                   {"payStatus", "PayRequest"}});
    return pay;
}

// payment's refusal, as this service's own error (its `detail` kept).
Error Refusal(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    std::string detail = "payment refused";
    if (body && body->contains("detail") && (*body)["detail"].is_string()) {
        detail = "payment refused: " + std::string((*body)["detail"].as_string());
    }
    Code code = http::CodeOfHttpStatus(answer.status);
    return Error{code == Code::kInvalidArgument ? code : Code::kFailedPrecondition, detail};
}

Result<Receipt> ReadReceipt(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    if (!body) return Fail(body.error());
    Receipt receipt;
    if (const auto* id = body->if_contains("id")) receipt.paymentId = json::ToInt(*id, "id").value_or(0);
    if (const auto* st = body->if_contains("payStatus"))
        receipt.payStatus = json::ToString(*st, "payStatus").value_or("");
    if (receipt.paymentId <= 0 || receipt.payStatus.empty()) {
        return Fail(Code::kUnavailable, "payment answered without a payment id and status");
    }
    return receipt;
}

}  // namespace

// ---- Reservations ------------------------------------------------------------------------------

Result<Pending> Reservations::HoldStay(service::Tx& tx, const ReserveCommand& c, const OpenStep& open) {
    auto& db = tx.db();
    Quote quote = RESERVO_TRY(QuoteStay(c, RESERVO_TRY(rooms_.Find(db, c.roomId))));
    RESERVO_TRY(CheckFree(c.roomId, c.stay, RESERVO_TRY(holds_.Overlapping(db, c.roomId, c.stay))));
    int64_t id = RESERVO_TRY(open(tx, boost::json::object{{"roomId", c.roomId},
                                                          {"reservStartDate", c.stay.start},
                                                          {"reservEndDate", c.stay.end},
                                                          {"amount", quote.amount}}));
    RESERVO_TRY(holds_.Put(db, Hold{id, c.roomId, c.stay, HoldState::kHeld}));
    return Pending{id, std::move(quote)};
}

Result<Reservation> Reservations::Complete(service::Tx& tx, const ReserveCommand& c, const Pending& p,
                                           const Receipt& receipt) {
    Reservation r{.id = p.id,
                  .roomId = c.roomId,
                  .roomNo = p.quote.roomNo,
                  .userId = c.userId,
                  .userName = c.userName,
                  .peopleQty = c.peopleQty,
                  .reservStartDate = {c.stay.start},
                  .reservEndDate = {c.stay.end},
                  .amount = p.quote.amount,
                  .payMethod = c.payMethod,
                  .payStatus = receipt.payStatus,
                  .reservStatus = std::string(kCompleted)};
    RESERVO_TRY(reservations_.Insert(tx.db(), r));
    RESERVO_TRY(SetHold(tx, r.id, HoldState::kBooked));
    RESERVO_TRY(tx.Publish(ReservationCompleted{r.id, r.id, r.roomId, r.roomNo, r.userId, r.userName, r.peopleQty,
                                                r.reservStartDate.iso, r.reservEndDate.iso, r.amount, r.payMethod,
                                                r.payStatus, r.reservStatus}));
    return r;
}

Status Reservations::ReleaseHold(service::Tx& tx, int64_t id) { return SetHold(tx, id, HoldState::kReleased); }

Status Reservations::SetHold(service::Tx& tx, int64_t id, HoldState state) {
    auto hold = RESERVO_TRY(holds_.Of(tx.db(), id));
    if (!hold || hold->state == state || hold->state == HoldState::kReleased) return Ok();
    hold->state = state;
    return holds_.Put(tx.db(), *hold);
}

Result<Reservation> Reservations::RequestCancellation(service::Tx& tx, int64_t id) {
    Reservation r = RESERVO_TRY(reservations_.Load(tx.db(), id));
    if (!RequestCancel(r)) return r;
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(tx.Publish(ReservationCancelRequested{r.id, r.id, r.roomId, r.userId, r.amount, r.reservStatus}));
    RESERVO_TRY(timeline_(tx, std::to_string(id), "cancel-requested", ""));
    return r;
}

Status Reservations::CompleteCancellation(service::Tx& tx, const PayCanceled& e) {
    auto found = RESERVO_TRY(reservations_.Find(tx.db(), e.reservationId));
    if (!found) return Ok();  // a payment voided for a reservation that was never made
    Reservation r = std::move(*found);
    if (!CompleteCancel(r, e.payStatus)) return Ok();
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(ReleaseHold(tx, r.id));
    RESERVO_TRY(tx.Publish(ReservationCanceled{r.id, r.id, r.roomId, r.userId, r.reservStartDate.iso,
                                               r.reservEndDate.iso, r.payStatus, r.reservStatus}));
    return timeline_(tx, std::to_string(r.id), "cancel-completed",
                     "payment " + std::to_string(e.id) + " " + e.payStatus + "; room " + std::to_string(r.roomId) +
                         " released from " + r.reservStartDate.iso + " to " + r.reservEndDate.iso);
}

Status Reservations::KnowRoom(service::Tx& tx, KnownRoom room) {
    auto prior = RESERVO_TRY(rooms_.Find(tx.db(), room.id));
    if (prior) return rooms_.Update(tx.db(), room);
    RESERVO_TRY(rooms_.Insert(tx.db(), std::move(room)));
    return Ok();
}

Status Reservations::ForgetRoom(service::Tx& tx, int64_t room_id, const std::string& room_no) {
    auto prior = RESERVO_TRY(rooms_.Find(tx.db(), room_id));
    KnownRoom removed = prior ? *prior : KnownRoom{.id = room_id, .roomNo = room_no};
    removed.removed = true;
    return KnowRoom(tx, std::move(removed));
}

// ---- RoomBooking -------------------------------------------------------------------------------

RoomBooking::RoomBooking(Reservations& reservations, service::UnitOfWork& uow, service::Dependency& payment,
                         std::chrono::milliseconds abandon_after)
    : reservations_(reservations),
      uow_(uow),
      payment_(payment),
      reserve_(uow.context(), uow,
               {.name = "reserve-room",
                .abandon_after = abandon_after,
                .compensate = [&reservations](const service::SagaStep& step, service::Tx& tx) -> Status {
                    RESERVO_TRY(reservations.ReleaseHold(tx, step.id));
                    ReservationAborted aborted{.reservationId = step.id};
                    if (const auto* room = step.data.if_contains("roomId"))
                        aborted.roomId = json::ToInt(*room, "roomId").value_or(0);
                    return tx.Publish(aborted);
                }}) {}

http::Awaitable<Result<Reservation>> RoomBooking::ReserveRoom(ReserveCommand c) {
    RESERVO_CO_TRY(ValidateReserve(c));
    // An open circuit refuses at once: no pending step, no hold, no compensation event.
    if (!payment_.TryAdmit()) co_return Fail(Code::kUnavailable, "circuit to payment is open");
    auto held = co_await uow_.Write([&](service::Tx& tx) {
        return reservations_.HoldStay(
            tx, c, [this](service::Tx& t, const boost::json::object& data) { return reserve_.Open(t, data); });
    });
    Pending pending = RESERVO_CO_TRY(std::move(held));

    auto answer = co_await payment_.Call(PayRequest(c, pending), /*idempotent=*/true);
    if (!answer || answer->status >= 500) {
        // Unknown outcome: the payment may have been made. Abort so payment voids it.
        (void)co_await reserve_.Abort(pending.id, "payment did not answer");
        co_return Fail(Code::kUnavailable, answer ? "payment answered " + std::to_string(answer->status)
                                                  : "payment unavailable: " + answer.error().message);
    }
    if (answer->status != 200 && answer->status != 201) {
        Error refusal = Refusal(*answer);
        co_await GiveUp(pending.id, refusal.message);
        co_return Fail(refusal);
    }
    auto receipt = ReadReceipt(*answer);
    if (!receipt) {
        (void)co_await reserve_.Abort(pending.id, "payment answered an unreadable payment");
        co_return Fail(Code::kUnavailable, "payment answered an unreadable payment");
    }
    if (deadline::Expired()) {
        // Nobody waits for this answer any more: a client told "timed out" must not find it booked.
        (void)co_await reserve_.Abort(pending.id, "the request's deadline passed");
        co_return Fail(Code::kUnavailable,
                       "the request's deadline passed before the reservation was stored; nothing was reserved");
    }
    auto stored = co_await uow_.Write([&](service::Tx& tx) -> Result<Reservation> {
        // Unavailable when the sweeper aborted the step meanwhile (and gave the payment back).
        RESERVO_TRY(reserve_.Complete(tx, pending.id, "paid: payment " + std::to_string(receipt->paymentId)));
        return reservations_.Complete(tx, c, pending, *receipt);
    });
    if (stored) co_return stored;
    // Not stored (the store stayed busy, say): give the payment back now rather than leave the dates
    // held until the sweeper finds the step; a step aborted already is left alone.
    (void)co_await reserve_.Abort(pending.id, "not stored: " + stored.error().message);
    co_return Fail(Code::kUnavailable, stored.error().message + "; nothing was reserved");
}

http::Awaitable<void> RoomBooking::GiveUp(int64_t id, const std::string& why) {
    auto released = co_await uow_.Write([&](service::Tx& tx) { return reservations_.ReleaseHold(tx, id); });
    if (released) {
        (void)co_await reserve_.Drop(id, why);
    } else {
        (void)co_await reserve_.Abort(id, why);  // releases the hold in its own transaction, or the sweeper will
    }
}

}  // namespace reservo::hotel::booking
