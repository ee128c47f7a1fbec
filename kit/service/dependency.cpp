#include "kit/service/dependency.hpp"

#include <boost/asio.hpp>
#include <random>

#include "kit/core/deadline.hpp"
#include "kit/core/trace.hpp"
#include "kit/http/problem.hpp"

namespace reservo::service {

Dependency::Dependency(boost::asio::io_context& io, std::string name, std::string base_url, CallPolicy policy,
                       Metrics& metrics, const LoopWatch* watch)
    : io_(io),
      name_(std::move(name)),
      policy_(policy),
      client_(io, std::move(base_url)),
      breaker_(policy.breaker),
      bulkhead_(policy.bulkhead),
      watch_(watch),
      rejected_(&metrics.Counter("dependency_rejected_total", "Calls refused by an open circuit or full bulkhead",
                                 {{"dependency", name_}})),
      failures_(
          &metrics.Counter("dependency_failures_total", "Calls that failed or timed out", {{"dependency", name_}})),
      latency_(
          &metrics.Histogram("dependency_call_seconds", "Latency of calls to a dependency", {{"dependency", name_}})),
      ignored_(&metrics.Counter("dependency_uncounted_total",
                                "Failed calls not held against the dependency (caller stalled or out of time)",
                                {{"dependency", name_}})) {
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
    // The caller's trace and deadline continue in the dependency; other work runs while we wait,
    // so both are restored whenever this coroutine resumes.
    const std::string caller_trace = trace::Current();
    const auto caller_deadline = deadline::Current();
    auto restore = [&] {
        trace::SetCurrent(caller_trace);
        deadline::SetCurrent(caller_deadline);
    };
    if (!request.headers.Find("traceparent")) request.headers.Set("traceparent", trace::ChildOf(caller_trace));
    if (caller_deadline) request.headers.Set(deadline::kHeader, deadline::ToHeader(*caller_deadline));
    budget_.OnRequest();
    for (int attempt = 1;; ++attempt) {
        const Millis timeout = deadline::Remaining(policy_.timeout);
        if (timeout <= Millis(0)) {
            co_return Fail(Code::kUnavailable, "the request's deadline passed before " + name_ + " was called");
        }
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
        Result<http::Response> result;
        if (transport_) {
            result = co_await transport_(request, timeout);
        } else {
            result = co_await client_.Send(request, timeout, idempotent || http::Client::IsReplayable(request));
        }
        restore();
        auto end = SteadyClock::now();
        auto elapsed = end - start;
        latency_->Observe(std::chrono::duration<double>(elapsed).count());
        Code outcome = Code::kOk;
        if (!result) {
            outcome = result.error().code;
        } else if (result->status >= 500 && policy_.answers_5xx_fail) {
            outcome = Code::kUnavailable;
        }
        const bool slow = elapsed >= policy_.breaker.slow_call_duration;
        const bool cut_short = outcome == Code::kDeadlineExceeded && timeout < policy_.timeout;
        if ((outcome != Code::kOk || slow) && (cut_short || (watch_ && watch_->StalledDuring(start, end)))) {
            breaker_.OnIgnored();  // our own stall or our caller's deadline, not the dependency's fault
            ignored_->Inc();
        } else {
            breaker_.OnResult(elapsed, outcome);
        }
        if (outcome == Code::kOk) co_return result;
        failures_->Inc();
        if (!idempotent || !policy_.retry.MayRetry(attempt, outcome) || !budget_.TryRetry()) {
            if (!result) co_return Fail(result.error().code, name_ + ": " + result.error().message);
            co_return Fail(Code::kUnavailable, name_ + " answered " + std::to_string(result->status));
        }
        permit.reset();
        std::uniform_real_distribution<double> jitter(0, 1);
        boost::asio::steady_timer t(io_, policy_.retry.Backoff(attempt, jitter(rng)));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        restore();
    }
}

}  // namespace reservo::service
