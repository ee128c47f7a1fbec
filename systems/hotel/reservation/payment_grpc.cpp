#include "systems/hotel/reservation/payment_grpc.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::hotel::booking {
namespace {

// `POST /payments {reservationId, userId, amount, payMethod}` as the Pay request.
struct PayCall {
    int64_t reservation_id = 0;
    std::string user_id;
    int64_t amount = 0;
    std::string pay_method;
};

Result<PayCall> PayCallOf(const http::Request& req) {
    if (req.method != "POST" || req.target != "/payments") {
        return Fail(Code::kInternal, "payment over gRPC has no call for " + req.method + " " + req.target);
    }
    auto body = json::ParseObject(req.body);
    if (!body) return Fail(body.error());
    auto integer = [&](std::string_view key) -> int64_t {
        const auto* v = body->if_contains(key);
        return v ? json::ToInt(*v, key).value_or(0) : 0;
    };
    auto text = [&](std::string_view key) -> std::string {
        const auto* v = body->if_contains(key);
        return v ? json::ToString(*v, key).value_or("") : "";
    };
    return PayCall{integer("reservationId"), text("userId"), integer("amount"), text("payMethod")};
}

// What the module's ReservoPayOutcome said, copied out of gRPC's buffers.
struct Outcome {
    Code code = Code::kInternal;
    std::string message;
    boost::json::object payment;
    bool created = false;
};

Outcome Copy(const ReservoPayOutcome& o) {
    Outcome out{.code = static_cast<Code>(o.code), .message = o.message != nullptr ? o.message : ""};
    if (out.code == Code::kOk) {
        out.payment["id"] = o.id;
        out.payment["reservationId"] = o.reservation_id;
        out.payment["userId"] = o.user_id;
        out.payment["amount"] = o.amount;
        out.payment["payMethod"] = o.pay_method;
        out.payment["payStatus"] = o.pay_status;
        out.payment["payDate"] = o.pay_date;
        out.created = o.created != 0;
    }
    return out;
}

// The answer REST would have given: the payment (201 when made now, 200 for a repeat), payment's
// refusal as problem+json, or — when no answer can be trusted — a transport failure.
Result<http::Response> AnswerOf(const Outcome& outcome) {
    if (outcome.code == Code::kOk) return http::JsonResponse(outcome.created ? 201 : 200, outcome.payment);
    if (outcome.code == Code::kUnavailable || outcome.code == Code::kDeadlineExceeded ||
        outcome.code == Code::kUnknown) {
        return Fail(outcome.code, "gRPC Pay: " + outcome.message);
    }
    return http::ProblemFrom(Error{outcome.code, outcome.message});
}

class GrpcPayment final {
  public:
    GrpcPayment(const ReservoHotelGrpcApi& api, boost::asio::io_context& io, const std::string& target)
        : api_(api), io_(io), channel_(api.connect(target.c_str())) {}

    // Calls in flight are cancelled; their callbacks (which post to `io`) are waited for.
    ~GrpcPayment() { api_.disconnect(channel_); }

    GrpcPayment(const GrpcPayment&) = delete;
    GrpcPayment& operator=(const GrpcPayment&) = delete;

    http::Awaitable<Result<http::Response>> Call(const http::Request& req, Millis timeout) {
        auto call = PayCallOf(req);
        if (!call) co_return Fail(call.error());
        std::string traceparent(req.headers.Find("traceparent").value_or(""));
        // Named, capturing by reference only: GCC 12 may destroy a temporary with non-trivial
        // captures in a co_await expression twice.
        auto initiate = [this, &call, &traceparent, timeout](auto handler) {
            Start(*call, timeout, traceparent, std::move(handler));
        };
        Outcome outcome = co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Outcome)>(
            initiate, boost::asio::use_awaitable);
        co_return AnswerOf(outcome);
    }

  private:
    // What waits for one call's `done`: the coroutine's handler and the loop kept running for it.
    template <class Handler>
    struct Pending {
        Handler handler;
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
        boost::asio::io_context& io;
    };

    // Starts the call; gRPC's thread that completes it posts `handler` to the event loop.
    template <class Handler>
    void Start(const PayCall& call, Millis timeout, const std::string& traceparent, Handler handler) {
        using P = Pending<Handler>;
        auto* pending = new P{std::move(handler), boost::asio::make_work_guard(io_), io_};
        const ReservoPayRequest request{.reservation_id = call.reservation_id,
                                        .user_id = call.user_id.c_str(),
                                        .amount = call.amount,
                                        .pay_method = call.pay_method.c_str()};
        api_.pay(channel_, &request, timeout.count(), traceparent.c_str(), &Done<P>, pending);
    }

    // gRPC's thread (grpc_module.hpp's ReservoPayDone).
    template <class P>
    static void Done(void* user, const ReservoPayOutcome* outcome) noexcept {
        std::shared_ptr<P> pending(static_cast<P*>(user));
        boost::asio::io_context& io = pending->io;
        boost::asio::post(io, [pending = std::move(pending), outcome = Copy(*outcome)]() mutable {
            std::move(pending->handler)(std::move(outcome));
        });
    }

    const ReservoHotelGrpcApi& api_;
    boost::asio::io_context& io_;
    ReservoPayChannel* channel_;
};

}  // namespace

void UsePaymentOverGrpc(const ReservoHotelGrpcApi& api, service::Dependency& payment, boost::asio::io_context& io,
                        const std::string& target) {
    auto grpc = std::make_shared<GrpcPayment>(api, io, target);
    payment.SetTransport([grpc](const http::Request& req, Millis timeout) { return grpc->Call(req, timeout); });
    log::Info("calling payment over gRPC", {{"target", target}});
}

}  // namespace reservo::hotel::booking
