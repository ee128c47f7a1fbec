#include "systems/hotel/payment/grpc_adapter.hpp"

#include <grpcpp/grpcpp.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "kit/core/deadline.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "systems/hotel/payment/grpc_contract.hpp"
#include "systems/hotel/payment/payment.grpc.pb.h"

namespace reservo::hotel::pay {
namespace {

namespace v1 = reservo::hotel::payment::v1;
using namespace std::chrono_literals;

// How long a drain lets calls in flight finish before they are cancelled.
constexpr auto kDrainWait = 5s;

grpc::Status StatusOf(const Error& error) {
    return grpc::Status(static_cast<grpc::StatusCode>(GrpcCodeOf(error.code)), error.message);
}

// The call's deadline on this process's steady clock; none when the caller set none.
std::optional<deadline::Time> DeadlineOf(const grpc::CallbackServerContext& context) {
    const auto at = context.deadline();
    if (at >= std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) return std::nullopt;
    const auto left = at - std::chrono::system_clock::now();
    return SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(left);
}

// Answers its call exactly once: with the use case's outcome, or — when the call's work is dropped
// unfinished (the event loop stopped and destroyed it) — UNAVAILABLE, so the server's shutdown,
// which waits for every call to be answered, is never left waiting.
class Answer final {
  public:
    explicit Answer(grpc::ServerUnaryReactor* reactor) : reactor_(reactor) {}
    ~Answer() { Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "payment stopped before answering")); }
    Answer(const Answer&) = delete;
    Answer& operator=(const Answer&) = delete;

    void Finish(const grpc::Status& status) {
        if (reactor_ == nullptr) return;
        std::exchange(reactor_, nullptr)->Finish(status);
    }

  private:
    grpc::ServerUnaryReactor* reactor_;
};

}  // namespace

struct GrpcPayments::Impl final : v1::Payments::CallbackService {
    Impl(service::ServiceContext& ctx, PayUseCase pay) : io(ctx.io()), metrics(ctx.metrics()), pay(std::move(pay)) {}

    ~Impl() override {
        Stop(std::chrono::system_clock::now());
        if (stopper.joinable()) stopper.join();
    }

    // gRPC's thread: hand the call to the event loop.
    grpc::ServerUnaryReactor* Pay(grpc::CallbackServerContext* context, const v1::PayRequest* request,
                                  v1::PayReply* reply) override {
        auto* reactor = context->DefaultReactor();
        auto answer = std::make_unique<Answer>(reactor);
        boost::asio::post(io, [this, context, request, reply, answer = std::move(answer)]() mutable {
            boost::asio::co_spawn(io, Serve(context, request, reply, std::move(answer)), boost::asio::detached);
        });
        return reactor;
    }

    // The event loop: the use case, then the answer.
    http::Awaitable<void> Serve(grpc::CallbackServerContext* context, const v1::PayRequest* request,
                                v1::PayReply* reply, std::unique_ptr<Answer> answer) {
        const auto call_deadline = DeadlineOf(*context);
        if (call_deadline && SteadyClock::now() >= *call_deadline) {
            // As REST answers a request whose X-Request-Deadline passed while it waited.
            Finish(*answer, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                         "the call's deadline passed before it was served; nothing was done"));
            co_return;
        }
        const auto& metadata = context->client_metadata();
        auto incoming = metadata.find("traceparent");
        std::string traceparent =
            incoming != metadata.end() ? std::string(incoming->second.data(), incoming->second.size()) : "";
        trace::SetCurrent(trace::IsValid(traceparent) ? traceparent : trace::NewTraceparent());
        deadline::SetCurrent(call_deadline);
        PayRequest command{.reservationId = request->reservation_id(),
                           .userId = request->user_id(),
                           .amount = request->amount(),
                           .payMethod = request->pay_method()};
        Result<PayResult> paid = Fail(Code::kInternal, "not paid");
        try {
            auto paying = pay(std::move(command));  // no temporaries in the co_await (GCC 12)
            paid = co_await std::move(paying);
        } catch (const std::exception& e) {
            log::Error("gRPC Pay failed", {{"error", e.what()}});
            paid = Fail(Code::kInternal, "payment failed unexpectedly");
        }
        if (!paid) {
            Finish(*answer, StatusOf(paid.error()));
            co_return;
        }
        const Payment& p = paid->payment;
        auto* out = reply->mutable_payment();
        out->set_id(p.id);
        out->set_reservation_id(p.reservationId);
        out->set_user_id(p.userId);
        out->set_amount(p.amount);
        out->set_pay_method(p.payMethod);
        out->set_pay_status(p.payStatus);
        out->set_pay_date(p.payDate);
        reply->set_created(paid->created);
        Finish(*answer, grpc::Status::OK);
    }

    // On the event loop: counted by code, as grpc-ecosystem's interceptors name it.
    void Finish(Answer& answer, const grpc::Status& status) {
        const int code = static_cast<int>(status.error_code());
        auto& counter = handled[code];
        if (counter == nullptr) {
            static const char* const kNames[] = {
                "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
                "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
                "DATA_LOSS", "UNAUTHENTICATED"};
            const std::string name = code >= 0 && code < 17 ? kNames[code] : std::to_string(code);
            counter = &metrics.Counter(
                "grpc_server_handled_total", "gRPC calls answered, by method and status code",
                {{"grpc_service", "reservo.hotel.payment.v1.Payments"}, {"grpc_method", "Pay"}, {"grpc_code", name}});
        }
        counter->Inc();
        answer.Finish(status);
    }

    // Stops taking calls; those in flight have until `by` to finish, then are cancelled. Shutdown
    // blocks until every call is answered, and answers come from the event loop: never there.
    void Stop(std::chrono::system_clock::time_point by) {
        std::lock_guard lock(stop_mutex);
        if (stopping || !server) return;
        stopping = true;
        stopper = std::thread([server = server.get(), by] { server->Shutdown(by); });
    }

    boost::asio::io_context& io;
    service::Metrics& metrics;
    PayUseCase pay;
    std::map<int, service::CounterMetric*> handled;  // by gRPC code; the event loop's
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    std::mutex stop_mutex;
    bool stopping = false;
    std::thread stopper;
};

Result<std::unique_ptr<GrpcPayments>> GrpcPayments::Start(service::ServiceContext& ctx, const GrpcOptions& options,
                                                          PayUseCase pay) {
    auto impl = std::make_unique<Impl>(ctx, std::move(pay));
    grpc::ServerBuilder builder;
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, options.reuse_port ? 1 : 0);
    builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &impl->port);
    builder.RegisterService(impl.get());
    impl->server = builder.BuildAndStart();
    if (!impl->server || impl->port == 0) {
        return Fail(Code::kUnavailable, "cannot serve gRPC on " + options.address + " (in use?)");
    }
    Impl* raw = impl.get();
    ctx.OnDrain([raw] { raw->Stop(std::chrono::system_clock::now() + kDrainWait); });
    log::Info("serving gRPC", {{"address", options.address}, {"port", std::to_string(impl->port)}});
    return std::unique_ptr<GrpcPayments>(new GrpcPayments(std::move(impl)));
}

GrpcPayments::GrpcPayments(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GrpcPayments::~GrpcPayments() = default;

int GrpcPayments::port() const { return impl_->port; }

}  // namespace reservo::hotel::pay
