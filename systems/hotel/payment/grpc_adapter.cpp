#include "systems/hotel/payment/grpc_adapter.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <map>
#include <optional>

#include "kit/core/deadline.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"

namespace reservo::hotel::pay {
namespace {

using namespace std::chrono_literals;

// How long a drain lets calls in flight finish before they are cancelled.
constexpr auto kDrainWait = 5s;

int64_t UnixNanos(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
}

// The call's deadline on this process's steady clock; none when the caller set none (0).
std::optional<deadline::Time> DeadlineOf(int64_t deadline_unix_ns) {
    if (deadline_unix_ns == 0) return std::nullopt;
    const auto left =
        std::chrono::nanoseconds(deadline_unix_ns) -
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
    return SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(left);
}

// Answers its call exactly once: with the use case's outcome, or — when the call's work is dropped
// unfinished (the event loop stopped and destroyed it) — UNAVAILABLE, so the server's shutdown,
// which waits for every call to be answered, is never left waiting.
class Answer final {
  public:
    Answer(const ReservoHotelGrpcApi& api, ReservoPayCall* call) : api_(api), call_(call) {}
    ~Answer() {
        ReservoPayOutcome dropped{};
        dropped.code = static_cast<int>(Code::kUnavailable);
        dropped.message = "payment stopped before answering";
        Finish(dropped);
    }
    Answer(const Answer&) = delete;
    Answer& operator=(const Answer&) = delete;

    // The gRPC code's name it answered with; null when answered before.
    const char* Finish(const ReservoPayOutcome& outcome) {
        if (call_ == nullptr) return nullptr;
        return api_.answer(std::exchange(call_, nullptr), &outcome);
    }

  private:
    const ReservoHotelGrpcApi& api_;
    ReservoPayCall* call_;
};

// A call as the event loop takes it over: copied out of gRPC's buffers.
struct Incoming {
    PayRequest command;
    int64_t deadline_unix_ns = 0;
    std::string traceparent;
    std::unique_ptr<Answer> answer;
};

}  // namespace

struct GrpcPayments::Impl final {
    Impl(const ReservoHotelGrpcApi& api, service::ServiceContext& ctx, PayUseCase pay)
        : api(api), io(ctx.io()), metrics(ctx.metrics()), pay(std::move(pay)) {}

    ~Impl() {
        if (server != nullptr) api.destroy(server);  // stops now if not yet, waits for answers
    }

    // gRPC's thread (grpc_module.hpp's ReservoPayOnCall): hand the call to the event loop.
    static void OnCall(void* user, ReservoPayCall* call, const ReservoPayRequest* request, int64_t deadline_unix_ns,
                       const char* traceparent) noexcept {
        auto* self = static_cast<Impl*>(user);
        Incoming in{.command = {.reservationId = request->reservation_id,
                                .userId = request->user_id,
                                .amount = request->amount,
                                .payMethod = request->pay_method},
                    .deadline_unix_ns = deadline_unix_ns,
                    .traceparent = traceparent,
                    .answer = std::make_unique<Answer>(self->api, call)};
        boost::asio::post(self->io, [self, in = std::move(in)]() mutable {
            boost::asio::co_spawn(self->io, self->Serve(std::move(in)), boost::asio::detached);
        });
    }

    // The event loop: the use case, then the answer.
    http::Awaitable<void> Serve(Incoming in) {
        const auto call_deadline = DeadlineOf(in.deadline_unix_ns);
        if (call_deadline && SteadyClock::now() >= *call_deadline) {
            // As REST answers a request whose X-Request-Deadline passed while it waited.
            Finish(*in.answer,
                   Fail(Code::kUnavailable, "the call's deadline passed before it was served; nothing was done"));
            co_return;
        }
        trace::SetCurrent(trace::IsValid(in.traceparent) ? in.traceparent : trace::NewTraceparent());
        deadline::SetCurrent(call_deadline);
        Result<PayResult> paid = Fail(Code::kInternal, "not paid");
        try {
            auto paying = pay(std::move(in.command));  // no temporaries in the co_await (GCC 12)
            paid = co_await std::move(paying);
        } catch (const std::exception& e) {
            log::Error("gRPC Pay failed", {{"error", e.what()}});
            paid = Fail(Code::kInternal, "payment failed unexpectedly");
        }
        Finish(*in.answer, paid);
    }

    // On the event loop: answered, and counted by gRPC code as grpc-ecosystem's interceptors name it.
    void Finish(Answer& answer, const Result<PayResult>& paid) {
        ReservoPayOutcome outcome{};
        if (paid) {
            const Payment& p = paid->payment;
            outcome.code = static_cast<int>(Code::kOk);
            outcome.message = "";
            outcome.id = p.id;
            outcome.reservation_id = p.reservationId;
            outcome.user_id = p.userId.c_str();
            outcome.amount = p.amount;
            outcome.pay_method = p.payMethod.c_str();
            outcome.pay_status = p.payStatus.c_str();
            outcome.pay_date = p.payDate.c_str();
            outcome.created = paid->created ? 1 : 0;
        } else {
            outcome.code = static_cast<int>(paid.error().code);
            outcome.message = paid.error().message.c_str();
        }
        const char* code = answer.Finish(outcome);
        if (code == nullptr) return;
        auto& counter = handled[code];
        if (counter == nullptr) {
            counter = &metrics.Counter(
                "grpc_server_handled_total", "gRPC calls answered, by method and status code",
                {{"grpc_service", "reservo.hotel.payment.v1.Payments"}, {"grpc_method", "Pay"}, {"grpc_code", code}});
        }
        counter->Inc();
    }

    const ReservoHotelGrpcApi& api;
    boost::asio::io_context& io;
    service::Metrics& metrics;
    PayUseCase pay;
    std::map<std::string, service::CounterMetric*, std::less<>> handled;  // by gRPC code; the event loop's
    ReservoPayServer* server = nullptr;
    int port = 0;
};

Result<std::unique_ptr<GrpcPayments>> GrpcPayments::Start(const ReservoHotelGrpcApi& api, service::ServiceContext& ctx,
                                                          const GrpcOptions& options, PayUseCase pay) {
    auto impl = std::make_unique<Impl>(api, ctx, std::move(pay));
    char error[256] = "";
    impl->server = api.serve(options.address.c_str(), options.reuse_port ? 1 : 0, &Impl::OnCall, impl.get(),
                             &impl->port, error, sizeof error);
    if (impl->server == nullptr) return Fail(Code::kUnavailable, error);
    Impl* raw = impl.get();
    ctx.OnDrain([raw] { raw->api.shutdown(raw->server, UnixNanos(std::chrono::system_clock::now() + kDrainWait)); });
    log::Info("serving gRPC", {{"address", options.address}, {"port", impl->port}});
    return std::unique_ptr<GrpcPayments>(new GrpcPayments(std::move(impl)));
}

GrpcPayments::GrpcPayments(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GrpcPayments::~GrpcPayments() = default;

int GrpcPayments::port() const { return impl_->port; }

}  // namespace reservo::hotel::pay
