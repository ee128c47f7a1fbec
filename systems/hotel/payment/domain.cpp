#include "systems/hotel/payment/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::hotel::pay {

Status ValidatePayRequest(const PayRequest& r) {
    if (r.reservationId <= 0) return Fail(Code::kInvalidArgument, "reservationId: must be a positive number");
    if (auto st = json::ValidateName("userId", r.userId, 100); !st) return st;
    if (r.amount <= 0) return Fail(Code::kInvalidArgument, "amount: must be positive");
    if (r.amount > kMaxAmount) return Fail(Code::kInvalidArgument, "amount: at most " + std::to_string(kMaxAmount));
    return json::ValidateName("payMethod", r.payMethod, 50);
}

Result<PayOutcome> CheckPay(const std::optional<Payment>& prior, const std::optional<ClosedReservation>& closed,
                            const PayRequest& r) {
    std::string reservation = "reservation " + std::to_string(r.reservationId);
    if (closed) return Fail(Code::kFailedPrecondition, reservation + " was closed (" + closed->payStatus + ")");
    if (!prior) return PayOutcome::kPay;
    if (prior->payStatus != kPayCompleted) {
        return Fail(Code::kFailedPrecondition, reservation + "'s payment is " + prior->payStatus);
    }
    if (prior->amount != r.amount || prior->userId != r.userId || prior->payMethod != r.payMethod) {
        return Fail(Code::kFailedPrecondition, reservation + " was paid already, with other details");
    }
    return PayOutcome::kRepeat;
}

Payment Paid(const PayRequest& r, std::string pay_date) {
    return Payment{.reservationId = r.reservationId,
                   .userId = r.userId,
                   .amount = r.amount,
                   .payMethod = r.payMethod,
                   .payStatus = std::string(kPayCompleted),
                   .payDate = std::move(pay_date)};
}

Closing Close(const std::optional<Payment>& prior, const std::optional<ClosedReservation>& closed,
              int64_t reservation_id, std::string_view status, std::string closed_at) {
    if (prior) {
        if (prior->payStatus != kPayCompleted) return {};  // given back already
        Payment returned = *prior;
        returned.payStatus = std::string(status);
        return {.payment = std::move(returned), .announce = true};
    }
    if (closed) return {};
    return {.closure = ClosedReservation{reservation_id, std::string(status), std::move(closed_at)},
            .announce = status == kPayCanceled};
}

}  // namespace reservo::hotel::pay
