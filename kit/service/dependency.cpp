#include "kit/service/dependency.hpp"

#include <boost/asio.hpp>
#include <random>

#include "kit/core/trace.hpp"
#include "kit/http/problem.hpp"

namespace reservo::service {

Dependency::Dependency(boost::asio::io_context& io, std::string name, std::string base_url, CallPolicy policy,
                       Metrics& metrics)
    : io_(io),
      name_(std::move(name)),
      policy_(policy),
      client_(io, std::move(base_url)),
      breaker_(policy.breaker),
      bulkhead_(policy.bulkhead),
      rejected_(&metrics.Counter("dependency_rejected_total", "Calls refused by an open circuit or full bulkhead",
                                 {{"dependency", name_}})),
      failures_(
          &metrics.Counter("dependency_failures_total", "Calls that failed or timed out", {{"dependency", name_}})),
      latency_(
          &metrics.Histogram("dependency_call_seconds", "Latency of calls to a dependency", {{"dependency", name_}})) {
    metrics.Gauge("circuit_breaker_state", "0 closed, 1 open, 2 half-open", {{"dependency", name_}},
                  [this] { return static_cast<double>(static_cast<int>(breaker_.state())); });
    metrics.Gauge("circuit_breaker_failure_rate", "Failure rate in the sliding window (percent)",
                  {{"dependency", name_}}, [this] { return breaker_.FailureRate(); });
    metrics.Gauge("bulkhead_in_flight", "Calls in flight", {{"dependency", name_}},
                  [this] { return static_cast<double>(bulkhead_.in_flight()); });
}

bool Dependency::TryAdmit() {
    bool admitted = bulkhead_.in_flight() < policy_.bulkhead &&
                    (breaker_.state() != CircuitState::kOpen || breaker_.RetryAfter().count() <= 0);
    if (!admitted) rejected_->Inc();
    return admitted;
}

int Dependency::RetryAfterMs() const {
    auto ms = static_cast<int>(breaker_.RetryAfter().count());
    return ms > 0 ? ms : 1000;
}

http::Awaitable<Result<http::Response>> Dependency::Call(http::Request request, bool idempotent) {
    thread_local std::mt19937 rng{std::random_device{}()};
    // The caller's trace continues in the dependency; other work runs while we wait, so the
    // current trace is restored whenever this coroutine resumes.
    const std::string caller_trace = trace::Current();
    if (!request.headers.Find("traceparent")) request.headers.Set("traceparent", trace::ChildOf(caller_trace));
    budget_.OnRequest();
    for (int attempt = 1;; ++attempt) {
        auto permit = bulkhead_.TryAcquire();
        if (!permit) {
            rejected_->Inc();
            co_return Fail(Code::kUnavailable, name_ + " is saturated (bulkhead full)");
        }
        if (!breaker_.TryAcquirePermission()) {
            rejected_->Inc();
            co_return Fail(Code::kUnavailable, "circuit to " + name_ + " is open");
        }
        auto start = SteadyClock::now();
        auto result =
            co_await client_.Send(request, policy_.timeout, idempotent || http::Client::IsReplayable(request));
        trace::SetCurrent(caller_trace);
        auto elapsed = SteadyClock::now() - start;
        latency_->Observe(std::chrono::duration<double>(elapsed).count());
        Code outcome = Code::kOk;
        if (!result) {
            outcome = result.error().code;
        } else if (result->status >= 500) {
            outcome = Code::kUnavailable;
        }
        breaker_.OnResult(elapsed, outcome);
        if (outcome == Code::kOk) co_return result;
        failures_->Inc();
        if (!idempotent || !policy_.retry.MayRetry(attempt, outcome) || !budget_.TryRetry()) {
            if (!result) co_return result;
            co_return Fail(Code::kUnavailable, name_ + " answered " + std::to_string(result->status));
        }
        permit.reset();
        std::uniform_real_distribution<double> jitter(0, 1);
        boost::asio::steady_timer t(io_, policy_.retry.Backoff(attempt, jitter(rng)));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        trace::SetCurrent(caller_trace);
    }
}

}  // namespace reservo::service
