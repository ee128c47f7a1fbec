#include "kit/service/dependency.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <random>

#include "kit/core/deadline.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "kit/http/problem.hpp"

namespace reservo::service {

namespace {

constexpr size_t kMaxClientSeries = 200;  // per dependency; later method/uri/status sets share "/**"

bool LooksLikeId(std::string_view segment) {
    if (segment.empty()) return false;
    if (std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
    // UUIDs and long hex strings
    return segment.size() >= 16 && std::all_of(segment.begin(), segment.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
           });
}

// Resilience4j's states, each a series of resilience4j_circuitbreaker_state; ours are the first three.
constexpr std::pair<std::string_view, CircuitState> kStates[] = {
    {"closed", CircuitState::kClosed}, {"open", CircuitState::kOpen}, {"half_open", CircuitState::kHalfOpen}};
constexpr std::string_view kStatesNeverTaken[] = {"forced_open", "disabled", "metrics_only"};

}  // namespace

std::string Dependency::UriTemplate(std::string_view target) {
    target = target.substr(0, target.find_first_of("?#"));
    if (target.empty()) return "/";
    std::string out;
    size_t pos = 0;
    while (pos < target.size()) {
        size_t slash = target.find('/', pos + 1);
        if (slash == std::string_view::npos) slash = target.size();
        std::string_view segment = target.substr(pos, slash - pos);  // "/x"
        if (segment.size() > 1 && LooksLikeId(segment.substr(1))) {
            out.append("/{id}");
        } else {
            out.append(segment);
        }
        pos = slash;
    }
    return out;
}

Dependency::Dependency(boost::asio::io_context& io, std::string name, std::string base_url, CallPolicy policy,
                       Metrics& metrics, const LoopWatch* watch)
    : io_(io),
      name_(std::move(name)),
      policy_(policy),
      client_(io, std::move(base_url)),
      breaker_(policy.breaker),
      bulkhead_(policy.bulkhead),
      budget_({.percent = policy.retry.budget_percent}),
      watch_(watch),
      metrics_(metrics),
      bulkhead_rejected_(&metrics.Counter("reservo_bulkhead_rejected_calls_total",
                                          "Calls refused at once because the bulkhead was full", {{"name", name_}})) {
    const std::string calls_help = "Total number of successful, failed and ignored calls (seconds)";
    successful_ = &metrics.Histogram("resilience4j_circuitbreaker_calls_seconds", calls_help,
                                     {{"kind", "successful"}, {"name", name_}});
    failed_ = &metrics.Histogram("resilience4j_circuitbreaker_calls_seconds", calls_help,
                                 {{"kind", "failed"}, {"name", name_}});
    // Failed calls not held against the dependency: the caller stalled, or ran out of time.
    ignored_ = &metrics.Histogram("resilience4j_circuitbreaker_calls_seconds", calls_help,
                                  {{"kind", "ignored"}, {"name", name_}});
    for (const auto& [label, state] : kStates) {
        metrics.Gauge("resilience4j_circuitbreaker_state", "The states of the circuit breaker",
                      {{"name", name_}, {"state", std::string(label)}},
                      [this, state] { return breaker_.state() == state ? 1.0 : 0.0; });
    }
    for (std::string_view label : kStatesNeverTaken) {
        metrics.Gauge("resilience4j_circuitbreaker_state", "The states of the circuit breaker",
                      {{"name", name_}, {"state", std::string(label)}}, [] { return 0.0; });
    }
    metrics.CounterFrom("resilience4j_circuitbreaker_not_permitted_calls_total", "Total number of not permitted calls",
                        {{"kind", "not_permitted"}, {"name", name_}},
                        [this] { return static_cast<double>(not_permitted_); });
    metrics.Gauge("resilience4j_circuitbreaker_failure_rate",
                  "The failure rate of the circuit breaker (percent; -1 until the window holds the minimum calls)",
                  {{"name", name_}}, [this] { return breaker_.FailureRate(); });
    metrics.Gauge("resilience4j_circuitbreaker_slow_call_rate",
                  "The slow call rate of the circuit breaker (percent; -1 until the window holds the minimum calls)",
                  {{"name", name_}}, [this] { return breaker_.SlowCallRate(); });
    metrics.Gauge("resilience4j_circuitbreaker_buffered_calls",
                  "The number of buffered calls stored in the ring buffer", {{"name", name_}},
                  [this] { return static_cast<double>(breaker_.BufferedCalls()); });
    metrics.Gauge("resilience4j_bulkhead_available_concurrent_calls", "The number of available permissions",
                  {{"name", name_}},
                  [this] { return static_cast<double>(bulkhead_.max_concurrent() - bulkhead_.in_flight()); });
    metrics.Gauge("resilience4j_bulkhead_max_allowed_concurrent_calls", "The maximum number of available permissions",
                  {{"name", name_}}, [this] { return static_cast<double>(bulkhead_.max_concurrent()); });
    // One line per state change, in the trace of the call that caused it.
    breaker_.SetTransitionListener([this](const CircuitTransition& t) {
        std::vector<log::Field> fields = {{"circuit", name_},
                                          {"from", CircuitStateName(t.from)},
                                          {"to", CircuitStateName(t.to)},
                                          {"reason", t.reason}};
        if (t.failure_rate >= 0) {
            fields.insert(
                fields.end(),
                {{"failureRate", t.failure_rate}, {"slowCallRate", t.slow_call_rate}, {"bufferedCalls", t.calls}});
        }
        if (t.to == CircuitState::kOpen) fields.emplace_back("openWaitMs", policy_.breaker.open_wait.count());
        const bool open = t.to == CircuitState::kOpen;
        log::Write(open ? log::Level::kWarn : log::Level::kInfo,
                   open ? "circuit open" : (t.to == CircuitState::kHalfOpen ? "circuit half-open" : "circuit closed"),
                   fields);
    });
}

HistogramMetric& Dependency::ClientRequests(const http::Request& request, const Result<http::Response>& result) {
    // Micrometer's client tags; no answer at all is status CLIENT_ERROR, outcome UNKNOWN (RestTemplate's).
    std::string status = result ? std::to_string(result->status) : "CLIENT_ERROR";
    std::string uri = UriTemplate(request.target.empty() ? request.path : request.target);
    auto key = std::make_tuple(request.method, std::move(uri), std::move(status));
    auto it = client_requests_.find(key);
    if (it != client_requests_.end()) return *it->second;
    if (client_requests_.size() >= kMaxClientSeries) {
        std::get<1>(key) = "/**";
        it = client_requests_.find(key);
        if (it != client_requests_.end()) return *it->second;
    }
    const std::string outcome(result ? HttpOutcome(result->status) : std::string_view("UNKNOWN"));
    HistogramMetric* h =
        &metrics_.Histogram("http_client_requests_seconds", "Timer of HTTP client requests to a dependency",
                            {{"client_name", name_},
                             {"method", std::get<0>(key)},
                             {"outcome", outcome},
                             {"status", std::get<2>(key)},
                             {"uri", std::get<1>(key)}});
    client_requests_.emplace(std::move(key), h);
    return *h;
}

void Dependency::GaveUp(const http::Request& request, int attempts, std::string_view why, std::string_view last_error) {
    log::Warn("retries exhausted", {{"dependency", name_},
                                    {"method", request.method},
                                    {"uri", UriTemplate(request.target.empty() ? request.path : request.target)},
                                    {"attempts", attempts},
                                    {"maxAttempts", policy_.retry.max_attempts},
                                    {"reason", why},
                                    {"error", last_error}});
}

bool Dependency::TryAdmit() {
    bool admitted = bulkhead_.in_flight() < policy_.bulkhead &&
                    (breaker_.state() != CircuitState::kOpen || breaker_.RetryAfter().count() <= 0);
    if (admitted) return true;
    if (bulkhead_.in_flight() >= policy_.bulkhead) {
        bulkhead_rejected_->Inc();
    } else {
        ++not_permitted_;
    }
    return false;
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
        // A retry refused here ends the retries: said once, as when they run out below.
        if (timeout <= Millis(0)) {
            Error refused{Code::kUnavailable, "the request's deadline passed before " + name_ + " was called"};
            if (attempt > 1) GaveUp(request, attempt - 1, "the request's deadline passed", refused.message);
            co_return Fail(std::move(refused));
        }
        auto permit = bulkhead_.TryAcquire();
        if (!permit) {
            bulkhead_rejected_->Inc();
            Error refused{Code::kUnavailable, name_ + " is saturated (bulkhead full)"};
            if (attempt > 1) GaveUp(request, attempt - 1, "bulkhead full", refused.message);
            co_return Fail(std::move(refused));
        }
        if (!breaker_.TryAcquirePermission()) {
            ++not_permitted_;
            Error refused{Code::kUnavailable, "circuit to " + name_ + " is open"};
            if (attempt > 1) GaveUp(request, attempt - 1, "circuit open", refused.message);
            co_return Fail(std::move(refused));
        }
        const auto watching = watch_ ? watch_->Watch() : LoopWatch::Watching{};  // our own stalls during the call
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
        const double seconds = std::chrono::duration<double>(elapsed).count();
        ClientRequests(request, result).Observe(seconds);
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
            ignored_->Observe(seconds);
        } else {
            breaker_.OnResult(elapsed, outcome);
            (outcome != Code::kOk && CountsAsFailure(outcome) ? failed_ : successful_)->Observe(seconds);
        }
        if (outcome == Code::kOk) co_return result;
        const bool may_retry = idempotent && policy_.retry.MayRetry(attempt, outcome);
        if (!may_retry || !budget_.TryRetry()) {
            Error last = result ? Error{Code::kUnavailable, name_ + " answered " + std::to_string(result->status)}
                                : Error{result.error().code, name_ + ": " + result.error().message};
            // A call that could be retried and is given up on: said once, here.
            if (idempotent && policy_.retry.MayRetry(1, outcome)) {
                GaveUp(request, attempt, may_retry ? "retry budget spent" : "max attempts reached", last.message);
            }
            co_return Fail(std::move(last));
        }
        permit.reset();
        std::uniform_real_distribution<double> jitter(0, 1);
        boost::asio::steady_timer t(io_, policy_.retry.Backoff(attempt, jitter(rng)));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        restore();
    }
}

}  // namespace reservo::service
