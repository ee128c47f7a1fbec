// Payment use cases, each inside one transaction (a Tx from the unit of work): Pay (synchronous,
// for reservation, keyed by the reservation id so a retry pays once), and the policies that cancel
// a payment when its reservation's cancellation is requested (→ PayCanceled) or void it when the
// reservation saga was aborted.
#pragma once

#include "kit/store/table.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/payment/domain.hpp"
#include "systems/hotel/timeline.hpp"

namespace reservo::hotel::pay {

struct PayResult {
    Payment payment;
    bool created = false;  // false: a repeat answered with the payment made before
};

class Payments final {
  public:
    Payments(const store::Table<Payment>& payments, const store::Table<ClosedReservation>& closed, Timeline timeline)
        : payments_(payments), closed_(closed), timeline_(std::move(timeline)) {}

    // Pays once per reservation (→ PayCompleted); a repeat answers the same payment.
    Result<PayResult> Pay(service::Tx& tx, const PayRequest& request);
    // The reservation's payment is refunded (→ PayCanceled, also when none had been made).
    Status CancelPayment(service::Tx& tx, const ReservationCancelRequested& requested);
    // The aborted reservation's payment, if one was made, is returned; none can be made later.
    Status VoidPayment(service::Tx& tx, const ReservationAborted& aborted);

  private:
    Result<Closing> Closed(service::Tx& tx, int64_t reservation_id, std::string_view status);

    const store::Table<Payment>& payments_;
    const store::Table<ClosedReservation>& closed_;
    Timeline timeline_;
};

}  // namespace reservo::hotel::pay
