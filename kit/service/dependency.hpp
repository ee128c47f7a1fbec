// A named synchronous dependency: HTTP client guarded by bulkhead, circuit breaker and timeout.
//
//   Dependency& vaccine = ctx.Dependency("vaccine-mgmt");
//   Result<http::Response> r = co_await vaccine.Call(std::move(req));
//   if (!r) return http::Unavailable(r.error().message, vaccine.RetryAfterMs());
//
// Transport failures, timeouts and 5xx answers count against the breaker; 4xx answers are the
// dependency working as designed. An open circuit or a full bulkhead fails at once with
// Unavailable, without touching the network. Only idempotent calls are retried.
//
// A call waits no longer than the current request's deadline (deadline::Current), which it
// passes on; a call cut short by that deadline, or one that failed while this process itself
// stood still (LoopWatch), says nothing about the dependency and is not counted.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "kit/core/error.hpp"
#include "kit/http/client.hpp"
#include "kit/resilience/bulkhead.hpp"
#include "kit/resilience/call_policy.hpp"
#include "kit/resilience/retry.hpp"
#include "kit/service/loop_watch.hpp"
#include "kit/service/metrics.hpp"

namespace reservo::service {

class Dependency final {
  public:
    Dependency(boost::asio::io_context& io, std::string name, std::string base_url, CallPolicy policy, Metrics& metrics,
               const LoopWatch* watch = nullptr);

    http::Awaitable<Result<http::Response>> Call(http::Request request, bool idempotent = false);

    // How one attempt reaches the dependency when not through the HTTP client: another protocol
    // (gRPC) speaking the same API. It gets the request and the time this attempt may take, and
    // answers like the client (an answer, or a transport failure: Unavailable, DeadlineExceeded);
    // the bulkhead, breaker, retries, deadline and metrics around it stay the same.
    using Transport = std::function<http::Awaitable<Result<http::Response>>(const http::Request&, Millis timeout)>;
    // Replaces the HTTP client for every later call; set while wiring, before any call.
    void SetTransport(Transport transport) { transport_ = std::move(transport); }

    // Whether a call now would be let through (circuit not open, bulkhead not full), without
    // taking a permit; a refusal is counted like one from Call. Callers check it before
    // preparing work that a refused call would waste.
    bool TryAdmit();

    const std::string& name() const { return name_; }
    const CallPolicy& policy() const { return policy_; }
    CircuitBreaker& breaker() { return breaker_; }
    const CircuitBreaker& breaker() const { return breaker_; }
    const Bulkhead& bulkhead() const { return bulkhead_; }
    // Calls refused at once by the open circuit (Resilience4j's not-permitted calls).
    uint64_t not_permitted() const { return not_permitted_; }
    int RetryAfterMs() const;

    // The `uri` label of a call to `target`: its path, with segments that look like ids (digits,
    // UUIDs, long hex) as `{id}`, so calls to /things/17 and /things/18 share a series.
    static std::string UriTemplate(std::string_view target);

  private:
    // The one line for a call whose retries ended (`attempts` made) without an answer.
    void GaveUp(const http::Request& request, int attempts, std::string_view why, std::string_view last_error);
    // The http_client_requests_seconds series of one call's method, uri and status.
    HistogramMetric& ClientRequests(const http::Request& request, const Result<http::Response>& result);

    boost::asio::io_context& io_;
    std::string name_;
    CallPolicy policy_;
    http::Client client_;
    Transport transport_;  // SetTransport; empty: client_
    CircuitBreaker breaker_;
    Bulkhead bulkhead_;
    RetryBudget budget_;
    const LoopWatch* watch_;
    Metrics& metrics_;
    uint64_t not_permitted_ = 0;
    CounterMetric* bulkhead_rejected_;
    HistogramMetric* successful_;  // resilience4j_circuitbreaker_calls_seconds by kind
    HistogramMetric* failed_;
    HistogramMetric* ignored_;
    std::map<std::tuple<std::string, std::string, std::string>, HistogramMetric*> client_requests_;
};

}  // namespace reservo::service
