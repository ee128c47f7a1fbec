#include "systems/hotel/reservation/payment_grpc.hpp"

#include <grpcpp/grpcpp.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"
#include "systems/hotel/payment/grpc_contract.hpp"
#include "systems/hotel/payment/payment.grpc.pb.h"

namespace reservo::hotel::booking {
namespace {

namespace v1 = reservo::hotel::payment::v1;

// One call in flight: what gRPC fills in, kept alive until it calls back.
struct Flight {
    grpc::ClientContext context;
    v1::PayRequest request;
    v1::PayReply reply;
};

// `POST /payments {reservationId, userId, amount, payMethod}` as the Pay request.
Result<v1::PayRequest> PayRequestOf(const http::Request& req) {
    if (req.method != "POST" || req.target != "/payments") {
        return Fail(Code::kInternal, "payment over gRPC has no call for " + req.method + " " + req.target);
    }
    auto body = json::ParseObject(req.body);
    if (!body) return Fail(body.error());
    v1::PayRequest out;
    auto integer = [&](std::string_view key) -> int64_t {
        const auto* v = body->if_contains(key);
        return v ? json::ToInt(*v, key).value_or(0) : 0;
    };
    auto text = [&](std::string_view key) -> std::string {
        const auto* v = body->if_contains(key);
        return v ? json::ToString(*v, key).value_or("") : "";
    };
    out.set_reservation_id(integer("reservationId"));
    out.set_user_id(text("userId"));
    out.set_amount(integer("amount"));
    out.set_pay_method(text("payMethod"));
    return out;
}

// The answer REST would have given: the payment (201 when made now, 200 for a repeat), payment's
// refusal as problem+json, or — when no answer can be trusted — a transport failure.
Result<http::Response> AnswerOf(const grpc::Status& status, const v1::PayReply& reply) {
    if (status.ok()) {
        const auto& p = reply.payment();
        boost::json::object payment;
        payment["id"] = p.id();
        payment["reservationId"] = p.reservation_id();
        payment["userId"] = p.user_id();
        payment["amount"] = p.amount();
        payment["payMethod"] = p.pay_method();
        payment["payStatus"] = p.pay_status();
        payment["payDate"] = p.pay_date();
        return http::JsonResponse(reply.created() ? 201 : 200, payment);
    }
    const Code code = pay::CodeOfGrpc(static_cast<int>(status.error_code()));
    if (code == Code::kUnavailable || code == Code::kDeadlineExceeded || code == Code::kUnknown) {
        return Fail(code, "gRPC Pay: " + status.error_message());
    }
    return http::ProblemFrom(Error{code, status.error_message()});
}

class GrpcPayment final {
  public:
    GrpcPayment(boost::asio::io_context& io, const std::string& target) : io_(io) {
        grpc::ChannelArguments args;
        // Payment back after an outage is found within a second or two, not gRPC's default minutes.
        args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
        args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
        // Retrying is the call policy's decision (retry.* of the dependency), not the channel's.
        args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
        stub_ = v1::Payments::NewStub(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
    }

    // Calls in flight are cancelled; their callbacks (which post to `io`) are waited for.
    ~GrpcPayment() {
        std::unique_lock lock(mutex_);
        for (Flight* f : flights_) f->context.TryCancel();
        idle_.wait(lock, [this] { return flights_.empty(); });
    }

    http::Awaitable<Result<http::Response>> Call(const http::Request& req, Millis timeout) {
        auto request = PayRequestOf(req);
        if (!request) co_return Fail(request.error());
        auto flight = std::make_shared<Flight>();
        flight->request = std::move(*request);
        flight->context.set_deadline(std::chrono::system_clock::now() + timeout);
        if (auto trace = req.headers.Find("traceparent"))
            flight->context.AddMetadata("traceparent", std::string(*trace));
        // Named, capturing by reference only: GCC 12 may destroy a temporary with non-trivial
        // captures in a co_await expression twice.
        auto initiate = [this, &flight](auto handler) { Start(flight, std::move(handler)); };
        grpc::Status status =
            co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(grpc::Status)>(
                initiate, boost::asio::use_awaitable);
        co_return AnswerOf(status, flight->reply);
    }

  private:
    // Starts the call; gRPC's thread that completes it posts `handler` to the event loop.
    template <class Handler>
    void Start(std::shared_ptr<Flight> flight, Handler handler) {
        {
            std::lock_guard lock(mutex_);
            flights_.push_back(flight.get());
        }
        auto resume = std::make_shared<Handler>(std::move(handler));
        auto work = std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
            io_.get_executor());
        Flight* raw = flight.get();
        stub_->async()->Pay(
            &raw->context, &raw->request, &raw->reply, [this, flight, resume, work](grpc::Status status) mutable {
                boost::asio::post(
                    io_, [resume = std::move(resume), work = std::move(work), status = std::move(status)]() mutable {
                        std::move (*resume)(std::move(status));
                    });
                std::lock_guard lock(mutex_);
                std::erase(flights_, flight.get());
                if (flights_.empty()) idle_.notify_all();
            });
    }

    boost::asio::io_context& io_;
    std::unique_ptr<v1::Payments::Stub> stub_;
    std::mutex mutex_;
    std::condition_variable idle_;
    std::vector<Flight*> flights_;  // in flight, for cancelling at destruction
};

}  // namespace

void UsePaymentOverGrpc(service::Dependency& payment, boost::asio::io_context& io, const std::string& target) {
    auto grpc = std::make_shared<GrpcPayment>(io, target);
    payment.SetTransport([grpc](const http::Request& req, Millis timeout) { return grpc->Call(req, timeout); });
    log::Info("calling payment over gRPC", {{"target", target}});
}

}  // namespace reservo::hotel::booking
