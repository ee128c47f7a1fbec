#include "kit/resilience/circuit_breaker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace reservo {

namespace {

bool IsPercent(double value) { return value > 0 && value <= 100; }

}  // namespace

Status CircuitBreakerPolicy::Validate() const {
    if (window_size < 1) return Fail(Code::kInvalidArgument, "circuit-breaker.window-size must be at least 1");
    if (minimum_calls < 1 || minimum_calls > window_size) {
        return Fail(Code::kInvalidArgument, "circuit-breaker.minimum-calls must be between 1 and window-size");
    }
    if (!IsPercent(failure_rate_threshold)) {
        return Fail(Code::kInvalidArgument, "circuit-breaker.failure-rate-threshold must be in (0, 100]");
    }
    if (slow_call_duration <= Millis{0}) {
        return Fail(Code::kInvalidArgument, "circuit-breaker.slow-call-duration-ms must be positive");
    }
    if (!IsPercent(slow_call_rate_threshold)) {
        return Fail(Code::kInvalidArgument, "circuit-breaker.slow-call-rate-threshold must be in (0, 100]");
    }
    if (open_wait < Millis{0}) return Fail(Code::kInvalidArgument, "circuit-breaker.open-wait-ms must not be negative");
    if (half_open_calls < 1) return Fail(Code::kInvalidArgument, "circuit-breaker.half-open-calls must be at least 1");
    return Ok();
}

std::string_view CircuitStateName(CircuitState state) {
    switch (state) {
        case CircuitState::kClosed:
            return "CLOSED";
        case CircuitState::kOpen:
            return "OPEN";
        case CircuitState::kHalfOpen:
            return "HALF_OPEN";
    }
    return "UNKNOWN";
}

bool CountsAsFailure(Code code) {
    return code == Code::kUnavailable || code == Code::kDeadlineExceeded || code == Code::kUnknown ||
           code == Code::kInternal;
}

// --- Window ---

void CircuitBreaker::Window::Reset(int capacity, int minimum) {
    ring_.assign(static_cast<size_t>(capacity), 0);
    next_ = 0;
    count_ = 0;
    minimum_ = minimum;
    failures_ = 0;
    slow_ = 0;
}

void CircuitBreaker::Window::Record(bool failure, bool slow) {
    uint8_t& slot = ring_[next_];
    if (count_ == capacity()) {  // evict the oldest outcome, which this slot holds
        failures_ -= (slot & kFailure) ? 1 : 0;
        slow_ -= (slot & kSlow) ? 1 : 0;
    } else {
        ++count_;
    }
    slot = static_cast<uint8_t>((failure ? kFailure : 0) | (slow ? kSlow : 0));
    failures_ += failure ? 1 : 0;
    slow_ += slow ? 1 : 0;
    next_ = (next_ + 1) % ring_.size();
}

double CircuitBreaker::Window::FailureRate() const { return Evaluable() ? 100.0 * failures_ / count_ : -1.0; }

double CircuitBreaker::Window::SlowCallRate() const { return Evaluable() ? 100.0 * slow_ / count_ : -1.0; }

// --- CircuitBreaker ---

CircuitBreaker::CircuitBreaker(CircuitBreakerPolicy policy, TimeSource now)
    : policy_(std::move(policy)), now_(now ? std::move(now) : SteadyTime()) {
    policy_.window_size = std::max(policy_.window_size, 1);
    policy_.minimum_calls = std::clamp(policy_.minimum_calls, 1, policy_.window_size);
    policy_.half_open_calls = std::max(policy_.half_open_calls, 1);
    policy_.open_wait = std::max(policy_.open_wait, Millis{0});
    window_.Reset(policy_.window_size, policy_.minimum_calls);
}

bool CircuitBreaker::TryAcquirePermission() {
    if (state_ == State::kOpen) {
        if (now_() < opened_at_ + policy_.open_wait) {
            ++counters_.rejected;
            return false;
        }
        TransitionTo(State::kHalfOpen);
    }
    if (state_ == State::kHalfOpen) {
        if (half_open_permits_ == 0) {
            ++counters_.rejected;
            return false;
        }
        --half_open_permits_;
        ++half_open_in_flight_;
    }
    ++counters_.permitted;
    return true;
}

void CircuitBreaker::OnSuccess(SteadyClock::duration duration) { Record(duration, false); }

void CircuitBreaker::OnError(SteadyClock::duration duration, Code code) { Record(duration, CountsAsFailure(code)); }

void CircuitBreaker::OnResult(SteadyClock::duration duration, Code code) {
    Record(duration, CountsAsFailure(code));  // kOk is not a failure either
}

void CircuitBreaker::OnIgnored() {
    ++counters_.ignored;
    if (state_ == State::kHalfOpen && half_open_in_flight_ > 0) {
        --half_open_in_flight_;
        ++half_open_permits_;  // another probe may take its place
    }
}

void CircuitBreaker::Record(SteadyClock::duration duration, bool failure) {
    const bool slow = duration > policy_.slow_call_duration;
    ++(failure ? counters_.failures : counters_.successes);
    counters_.slow += slow ? 1 : 0;

    switch (state_) {
        case State::kClosed:
            window_.Record(failure, slow);
            if (ThresholdsExceeded()) TransitionTo(State::kOpen);
            return;
        case State::kOpen:
            return;  // a call permitted before the circuit opened; it no longer decides anything
        case State::kHalfOpen:
            if (half_open_in_flight_ == 0) return;  // not one of the probes
            --half_open_in_flight_;
            window_.Record(failure, slow);
            if (window_.count() == window_.capacity()) {
                TransitionTo(ThresholdsExceeded() ? State::kOpen : State::kClosed);
            }
            return;
    }
}

bool CircuitBreaker::ThresholdsExceeded() const {
    if (!window_.Evaluable()) return false;
    return window_.FailureRate() >= policy_.failure_rate_threshold ||
           window_.SlowCallRate() >= policy_.slow_call_rate_threshold;
}

void CircuitBreaker::TransitionTo(State to, std::string_view cause) {
    const State from = state_;
    CircuitTransition transition{.from = from, .to = to};
    if (listener_ && from != to) {  // what decided it, before the window is emptied below
        if (window_.Evaluable() && cause.empty() && to != State::kHalfOpen) {
            transition.failure_rate = window_.FailureRate();
            transition.slow_call_rate = window_.SlowCallRate();
            transition.calls = window_.count();
        }
        transition.reason = cause.empty() ? Reason(transition) : std::string(cause);
    }
    state_ = to;
    switch (to) {
        case State::kClosed:
            window_.Reset(policy_.window_size, policy_.minimum_calls);
            break;
        case State::kOpen:
            opened_at_ = now_();
            ++counters_.opened;
            break;
        case State::kHalfOpen:
            window_.Reset(policy_.half_open_calls, policy_.half_open_calls);
            half_open_permits_ = policy_.half_open_calls;
            half_open_in_flight_ = 0;
            break;
    }
    if (to != State::kHalfOpen) {
        half_open_permits_ = 0;
        half_open_in_flight_ = 0;
    }
    if (from != to) {
        ++counters_.transitions;
        if (listener_) listener_(transition);
    }
}

std::string CircuitBreaker::Reason(const CircuitTransition& t) const {
    if (t.to == State::kHalfOpen) return fmt::format("the open wait of {} ms is over", policy_.open_wait.count());
    if (t.failure_rate < 0) return "";
    const bool probes = t.from == State::kHalfOpen;
    const int failed = static_cast<int>(std::lround(t.failure_rate * t.calls / 100));
    const int slow = static_cast<int>(std::lround(t.slow_call_rate * t.calls / 100));
    if (t.to == State::kOpen) {
        if (t.failure_rate >= policy_.failure_rate_threshold) {
            return fmt::format("failure rate {:.4g}% reached the threshold {:.4g}% ({} of the {} {} failed)",
                               t.failure_rate, policy_.failure_rate_threshold, failed, t.calls,
                               probes ? "half-open trial calls" : "last calls");
        }
        return fmt::format("slow-call rate {:.4g}% reached the threshold {:.4g}% ({} of the {} {} took over {} ms)",
                           t.slow_call_rate, policy_.slow_call_rate_threshold, slow, t.calls,
                           probes ? "half-open trial calls" : "last calls", policy_.slow_call_duration.count());
    }
    return fmt::format(
        "the half-open trial calls passed: failure rate {:.4g}% below {:.4g}%, slow-call rate {:.4g}% below {:.4g}% "
        "({} calls)",
        t.failure_rate, policy_.failure_rate_threshold, t.slow_call_rate, policy_.slow_call_rate_threshold, t.calls);
}

void CircuitBreaker::Reset() { TransitionTo(State::kClosed, "reset"); }

Millis CircuitBreaker::RetryAfter() const {
    switch (state_) {
        case State::kClosed:
            return Millis{0};
        case State::kHalfOpen:
            return policy_.open_wait;
        case State::kOpen: {
            const auto left = opened_at_ + policy_.open_wait - now_();
            return left > SteadyClock::duration::zero() ? std::chrono::ceil<Millis>(left) : Millis{0};
        }
    }
    return Millis{0};
}

double CircuitBreaker::FailureRate() const { return window_.FailureRate(); }

double CircuitBreaker::SlowCallRate() const { return window_.SlowCallRate(); }

}  // namespace reservo
