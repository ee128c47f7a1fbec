#include "kit/resilience/call_policy.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace reservo {

namespace {

// Reads `key` as an int, saturating values that do not fit.
int GetIntClamped(const Config& config, const std::string& key, int fallback) {
    const int64_t value = config.GetInt(key, fallback);
    return static_cast<int>(
        std::clamp<int64_t>(value, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

Millis GetMillis(const Config& config, const std::string& key, Millis fallback) {
    return Millis{config.GetInt(key, fallback.count())};
}

}  // namespace

CallPolicy CallPolicy::FromConfig(const Config& config, const std::string& prefix) {
    const CallPolicy defaults;
    const std::string base = prefix + ".";
    const std::string cb = base + "circuit-breaker.";
    const std::string rt = base + "retry.";

    CallPolicy policy;
    policy.timeout = GetMillis(config, base + "timeout-ms", defaults.timeout);
    policy.bulkhead = GetIntClamped(config, base + "bulkhead", defaults.bulkhead);

    const CircuitBreakerPolicy& b = defaults.breaker;
    policy.breaker.window_size = GetIntClamped(config, cb + "window-size", b.window_size);
    policy.breaker.minimum_calls = GetIntClamped(config, cb + "minimum-calls", b.minimum_calls);
    policy.breaker.failure_rate_threshold = config.GetDouble(cb + "failure-rate-threshold", b.failure_rate_threshold);
    policy.breaker.slow_call_duration = GetMillis(config, cb + "slow-call-duration-ms", b.slow_call_duration);
    policy.breaker.slow_call_rate_threshold =
        config.GetDouble(cb + "slow-call-rate-threshold", b.slow_call_rate_threshold);
    policy.breaker.open_wait = GetMillis(config, cb + "open-wait-ms", b.open_wait);
    policy.breaker.half_open_calls = GetIntClamped(config, cb + "half-open-calls", b.half_open_calls);

    const RetryPolicy& r = defaults.retry;
    policy.retry.max_attempts = GetIntClamped(config, rt + "max-attempts", r.max_attempts);
    policy.retry.backoff = GetMillis(config, rt + "backoff-ms", r.backoff);
    policy.retry.multiplier = config.GetDouble(rt + "multiplier", r.multiplier);
    policy.retry.max_backoff = GetMillis(config, rt + "max-backoff-ms", r.max_backoff);
    policy.retry.jitter = config.GetDouble(rt + "jitter", r.jitter);
    policy.retry.budget_percent = config.GetDouble(rt + "budget-percent", r.budget_percent);
    return policy;
}

Status CallPolicy::Validate() const {
    if (timeout <= Millis{0}) return Fail(Code::kInvalidArgument, "timeout-ms must be positive");
    if (bulkhead < 1) return Fail(Code::kInvalidArgument, "bulkhead must be at least 1");
    if (auto ok = breaker.Validate(); !ok) return ok;
    return retry.Validate();
}

}  // namespace reservo
