// Payment domain: a reservation is paid once, keyed by its id, and that payment is canceled
// (refunded) when the reservation is canceled, or voided when the reservation was never made.
// Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::hotel::pay {

inline constexpr int64_t kMaxAmount = 1'000'000'000'000;
inline constexpr std::string_view kPayCompleted = "PayCompleted";
inline constexpr std::string_view kPayCanceled = "PayCanceled";  // refunded after a cancel request
inline constexpr std::string_view kPayVoided = "PayVoided";      // returned: the reservation was never made

// A payment (the aggregate): the resource `/payments`, one per reservation.
struct Payment {
    int64_t id = 0;
    int64_t reservationId = 0;
    std::string userId;
    int64_t amount = 0;
    std::string payMethod;
    std::string payStatus;
    std::string payDate;  // ISO-8601, when it was paid
};
BOOST_DESCRIBE_STRUCT(Payment, (), (id, reservationId, userId, amount, payMethod, payStatus, payDate))

// A reservation whose payment was closed before any was made (its cancel or abort overtook the
// request): a payment asked for later is refused. Keyed by the reservation id.
struct ClosedReservation {
    int64_t id = 0;  // the reservation
    std::string payStatus;
    std::string closedAt;
};
BOOST_DESCRIBE_STRUCT(ClosedReservation, (), (id, payStatus, closedAt))

struct PayRequest {
    int64_t reservationId = 0;
    std::string userId;
    int64_t amount = 0;
    std::string payMethod;
};

// A reservation id, a payer, a positive amount and a method.
Status ValidatePayRequest(const PayRequest& request);

enum class PayOutcome { kPay, kRepeat };

// Whether to pay now: kRepeat when the same payment was made under this reservation id before
// (answer it again, pay nothing); refused when that payment differs or was closed.
Result<PayOutcome> CheckPay(const std::optional<Payment>& prior, const std::optional<ClosedReservation>& closed,
                            const PayRequest& request);

// A payment as made now.
Payment Paid(const PayRequest& request, std::string pay_date);

// What canceling or voiding (`status`) does to a reservation's payment: the payment to store
// changed, or a closure to record when none was made; `announce` when PayCanceled is due (a
// payment given back, or a cancel request answered without one).
struct Closing {
    std::optional<Payment> payment;
    std::optional<ClosedReservation> closure;
    bool announce = false;
};
Closing Close(const std::optional<Payment>& prior, const std::optional<ClosedReservation>& closed,
              int64_t reservation_id, std::string_view status, std::string closed_at);

}  // namespace reservo::hotel::pay
