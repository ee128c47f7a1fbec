// A circuit breaker with Resilience4j semantics, for one named outbound dependency.
//
// CLOSED: every call is permitted and its outcome goes into a count-based sliding window of
// the last `window_size` calls. Once the window holds `minimum_calls` outcomes, a failure rate
// or slow-call rate at or above its threshold opens the circuit.
// OPEN: calls are rejected at once (the caller answers 503 with Retry-After: RetryAfter()).
// After `open_wait`, the next permission request moves to HALF_OPEN.
// HALF_OPEN: exactly `half_open_calls` trial calls are permitted; when all have reported, the
// circuit opens again if their failure or slow rate reaches a threshold, else closes with an
// empty window.
//
//   CircuitBreaker breaker(policy.breaker);
//   if (!breaker.TryAcquirePermission()) return Fail(Code::kUnavailable, "vaccine-mgmt circuit open");
//   auto start = SteadyClock::now();
//   Result<Lot> lot = co_await Call(...);
//   breaker.OnResult(SteadyClock::now() - start, lot ? Code::kOk : lot.error().code);
//
// Every granted permission must be ended by exactly one OnSuccess, OnError, OnResult or
// OnIgnored. Outcomes are attributed to the state current when they arrive; with the open
// wait longer than the call timeout (the normal configuration) no call outlives an open period.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"
#include "kit/resilience/time_source.hpp"

namespace reservo {

struct CircuitBreakerPolicy {
    int window_size = 20;                  // outcomes kept in the count-based sliding window
    int minimum_calls = 10;                // outcomes needed before rates are evaluated
    double failure_rate_threshold = 50;    // percent; at or above it the circuit opens
    Millis slow_call_duration{500};        // a call taking longer than this is slow
    double slow_call_rate_threshold = 80;  // percent of slow calls that opens the circuit
    Millis open_wait{2000};                // how long OPEN rejects before probing
    int half_open_calls = 3;               // trial calls permitted in HALF_OPEN

    // Names the first bad field by its config key (`circuit-breaker.window-size ...`).
    Status Validate() const;
};

enum class CircuitState { kClosed, kOpen, kHalfOpen };

// "CLOSED", "OPEN", "HALF_OPEN" — the metric label and log word.
std::string_view CircuitStateName(CircuitState state);

// Whether a call that ended with `code` is a failure of the dependency. Only Unavailable,
// DeadlineExceeded and Internal are; a business answer (NotFound, FailedPrecondition,
// InvalidArgument, ...) proves the dependency works and counts as a success.
bool CountsAsFailure(Code code);

// A state change and why it happened.
struct CircuitTransition {
    CircuitState from = CircuitState::kClosed;
    CircuitState to = CircuitState::kClosed;
    // The rates in percent over the outcomes that decided it (the window, or the half-open probes);
    // -1 when no rates decided it (the open wait ended, Reset).
    double failure_rate = -1;
    double slow_call_rate = -1;
    int calls = 0;  // outcomes those rates are over
    // In words: "failure rate 60% reached the threshold 50% (6 of the last 10 calls failed)".
    std::string reason;
};

// Monotonic counters for metrics.
struct CircuitBreakerCounters {
    uint64_t permitted = 0;    // permissions granted
    uint64_t rejected = 0;     // permissions refused (OPEN, or HALF_OPEN probes exhausted)
    uint64_t successes = 0;    // outcomes recorded as success (including slow ones)
    uint64_t failures = 0;     // outcomes recorded as failure (including slow ones)
    uint64_t slow = 0;         // outcomes slower than slow_call_duration
    uint64_t ignored = 0;      // permissions released without an outcome
    uint64_t transitions = 0;  // state changes of any kind
    uint64_t opened = 0;       // transitions into OPEN
};

class CircuitBreaker final {
  public:
    using State = CircuitState;
    using TransitionListener = std::function<void(const CircuitTransition&)>;

    // Out-of-range sizes are clamped (window ≥ 1, 1 ≤ minimum ≤ window, half-open ≥ 1);
    // use CircuitBreakerPolicy::Validate to reject them at start-up instead.
    explicit CircuitBreaker(CircuitBreakerPolicy policy = {}, TimeSource now = SteadyTime());

    // True when a call may go out. Moves OPEN to HALF_OPEN once the open wait is over.
    bool TryAcquirePermission();

    void OnSuccess(SteadyClock::duration duration);
    // Records a failure if CountsAsFailure(code), else a success: the dependency answered.
    void OnError(SteadyClock::duration duration, Code code);
    // OnSuccess for Code::kOk, OnError otherwise.
    void OnResult(SteadyClock::duration duration, Code code);
    // Releases a permission without recording an outcome (the caller gave up, say).
    void OnIgnored();

    // The state as of the last call; OPEN stays OPEN past its wait until a permission request.
    State state() const { return state_; }
    std::string_view StateName() const { return CircuitStateName(state_); }

    // How long a rejected caller should wait: the rest of the open wait when OPEN (rounded up),
    // the whole open wait when HALF_OPEN (should the probes fail), zero when CLOSED.
    Millis RetryAfter() const;

    // Rates in percent over the current window, or -1 while it holds fewer than the minimum.
    double FailureRate() const;
    double SlowCallRate() const;
    // Outcomes currently in the window (of the half-open probes when HALF_OPEN).
    int BufferedCalls() const { return window_.count(); }

    const CircuitBreakerCounters& counters() const { return counters_; }
    const CircuitBreakerPolicy& policy() const { return policy_; }

    // Called on every state change, e.g. to log it or set a gauge.
    void SetTransitionListener(TransitionListener listener) { listener_ = std::move(listener); }

    // Back to CLOSED with an empty window (operator action; tests).
    void Reset();

  private:
    // The last `capacity` outcomes in a ring, with running totals.
    class Window final {
      public:
        void Reset(int capacity, int minimum);
        void Record(bool failure, bool slow);
        int count() const { return count_; }
        int capacity() const { return static_cast<int>(ring_.size()); }
        bool Evaluable() const { return count_ >= minimum_; }
        double FailureRate() const;
        double SlowCallRate() const;

      private:
        static constexpr uint8_t kFailure = 1;
        static constexpr uint8_t kSlow = 2;

        std::vector<uint8_t> ring_;
        size_t next_ = 0;
        int count_ = 0;
        int minimum_ = 1;
        int failures_ = 0;
        int slow_ = 0;
    };

    void Record(SteadyClock::duration duration, bool failure);
    bool ThresholdsExceeded() const;
    // `cause` says why when the window does not (Reset).
    void TransitionTo(State to, std::string_view cause = {});
    std::string Reason(const CircuitTransition& t) const;

    CircuitBreakerPolicy policy_;
    TimeSource now_;
    State state_ = State::kClosed;
    Window window_;
    SteadyClock::time_point opened_at_{};
    int half_open_permits_ = 0;    // trial permissions not yet handed out
    int half_open_in_flight_ = 0;  // trial calls handed out and not yet reported
    CircuitBreakerCounters counters_;
    TransitionListener listener_;
};

}  // namespace reservo
