#include "systems/hotel/payment/application.hpp"

#include "kit/core/clock.hpp"
#include "kit/core/try.hpp"

namespace reservo::hotel::pay {
namespace {

PayCanceled Canceled(const Payment& p) { return {p.id, p.reservationId, p.userId, p.amount, p.payMethod, p.payStatus}; }

}  // namespace

Result<PayResult> Payments::Pay(service::Tx& tx, const PayRequest& request) {
    RESERVO_TRY(ValidatePayRequest(request));
    auto& db = tx.db();
    auto prior = RESERVO_TRY(payments_.FindBy(db, "reservationId", request.reservationId));
    auto closed = RESERVO_TRY(closed_.Find(db, request.reservationId));
    if (RESERVO_TRY(CheckPay(prior, closed, request)) == PayOutcome::kRepeat) return PayResult{*prior, false};
    Payment paid = RESERVO_TRY(payments_.Insert(db, Paid(request, NowIso8601())));
    RESERVO_TRY(tx.Publish(
        PayCompleted{paid.id, paid.reservationId, paid.userId, paid.amount, paid.payMethod, paid.payStatus}));
    RESERVO_TRY(timeline_(tx, std::to_string(paid.reservationId), "paid",
                          "payment " + std::to_string(paid.id) + ": " + std::to_string(paid.amount)));
    return PayResult{std::move(paid), true};
}

Status Payments::CancelPayment(service::Tx& tx, const ReservationCancelRequested& e) {
    Closing closing = RESERVO_TRY(Closed(tx, e.reservationId, kPayCanceled));
    if (!closing.announce) return Ok();
    PayCanceled canceled = closing.payment
                               ? Canceled(*closing.payment)
                               : PayCanceled{0, e.reservationId, e.userId, 0, "", std::string(kPayCanceled)};
    RESERVO_TRY(tx.Publish(canceled));
    return timeline_(tx, std::to_string(e.reservationId), "pay-canceled",
                     closing.payment
                         ? "payment " + std::to_string(canceled.id) + " refunded: " + std::to_string(canceled.amount)
                         : "no payment had been made");
}

Status Payments::VoidPayment(service::Tx& tx, const ReservationAborted& e) {
    Closing closing = RESERVO_TRY(Closed(tx, e.reservationId, kPayVoided));
    if (closing.announce) RESERVO_TRY(tx.Publish(Canceled(*closing.payment)));
    if (!closing.payment && !closing.closure) return Ok();
    return timeline_(tx, std::to_string(e.reservationId), "pay-voided",
                     closing.payment ? "payment " + std::to_string(closing.payment->id) +
                                           " returned: " + std::to_string(closing.payment->amount)
                                     : "no payment had been made; none will be");
}

Result<Closing> Payments::Closed(service::Tx& tx, int64_t reservation_id, std::string_view status) {
    auto& db = tx.db();
    auto prior = RESERVO_TRY(payments_.FindBy(db, "reservationId", reservation_id));
    auto closed = RESERVO_TRY(closed_.Find(db, reservation_id));
    Closing closing = Close(prior, closed, reservation_id, status, NowIso8601());
    if (closing.payment) RESERVO_TRY(payments_.Update(db, *closing.payment));
    if (closing.closure) RESERVO_TRY(closed_.Insert(db, *closing.closure));
    return closing;
}

}  // namespace reservo::hotel::pay
