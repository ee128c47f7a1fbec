#include "kit/resilience/call_policy.hpp"

#include <limits>

#include "kit/core/try.hpp"

namespace reservo {

namespace {

Result<int> RequireCount(const Config& config, const std::string& key) {
    const int64_t value = RESERVO_TRY(config.RequireInt(key));
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
        return Fail(Code::kInvalidArgument, key + ": " + std::to_string(value) + " is out of range");
    }
    return static_cast<int>(value);
}

Result<CircuitBreakerPolicy> ReadBreaker(const Config& config, const std::string& prefix) {
    const std::string cb = prefix + ".circuit-breaker.";
    CircuitBreakerPolicy b;
    b.window_size = RESERVO_TRY(RequireCount(config, cb + "window-size"));
    b.minimum_calls = RESERVO_TRY(RequireCount(config, cb + "minimum-calls"));
    b.failure_rate_threshold = RESERVO_TRY(config.RequireDouble(cb + "failure-rate-threshold"));
    b.slow_call_duration = RESERVO_TRY(config.RequireMillis(cb + "slow-call-duration-ms"));
    b.slow_call_rate_threshold = RESERVO_TRY(config.RequireDouble(cb + "slow-call-rate-threshold"));
    b.open_wait = RESERVO_TRY(config.RequireMillis(cb + "open-wait-ms"));
    b.half_open_calls = RESERVO_TRY(RequireCount(config, cb + "half-open-calls"));
    return b;
}

// Optional keys: one that is absent leaves `value` as it is.
Status ReadIfPresent(const Config& config, const std::string& key, int& value) {
    if (config.Find(key)) value = RESERVO_TRY(RequireCount(config, key));
    return Ok();
}
Status ReadIfPresent(const Config& config, const std::string& key, double& value) {
    if (config.Find(key)) value = RESERVO_TRY(config.RequireDouble(key));
    return Ok();
}
Status ReadIfPresent(const Config& config, const std::string& key, Millis& value) {
    if (config.Find(key)) value = RESERVO_TRY(config.RequireMillis(key));
    return Ok();
}

// Checks what no single key says (a breaker's minimum-calls within its window, say), naming the
// key as a schema problem does: "<prefix>.circuit-breaker.minimum-calls: must be ...".
Result<CallPolicy> Checked(CallPolicy policy, const std::string& prefix) {
    if (auto valid = policy.Validate(); !valid) {
        const std::string& why = valid.error().message;  // "circuit-breaker.minimum-calls must be ..."
        const size_t space = why.find(' ');
        if (space == std::string::npos) return Fail(Code::kInvalidArgument, prefix + ": " + why);
        return Fail(Code::kInvalidArgument, prefix + "." + why.substr(0, space) + ":" + why.substr(space));
    }
    return policy;
}

}  // namespace

Result<CallPolicy> CallPolicy::FromConfig(const Config& config, const std::string& prefix) {
    CallPolicy policy;
    policy.timeout = RESERVO_TRY(config.RequireMillis(prefix + ".timeout-ms"));
    policy.bulkhead = RESERVO_TRY(RequireCount(config, prefix + ".bulkhead"));
    policy.breaker = RESERVO_TRY(ReadBreaker(config, prefix));
    const std::string rt = prefix + ".retry.";
    RESERVO_TRY(ReadIfPresent(config, rt + "max-attempts", policy.retry.max_attempts));
    RESERVO_TRY(ReadIfPresent(config, rt + "backoff-ms", policy.retry.backoff));
    RESERVO_TRY(ReadIfPresent(config, rt + "multiplier", policy.retry.multiplier));
    RESERVO_TRY(ReadIfPresent(config, rt + "max-backoff-ms", policy.retry.max_backoff));
    RESERVO_TRY(ReadIfPresent(config, rt + "jitter", policy.retry.jitter));
    RESERVO_TRY(ReadIfPresent(config, rt + "budget-percent", policy.retry.budget_percent));
    return Checked(std::move(policy), prefix);
}

Result<CallPolicy> CallPolicy::ForProxy(const Config& config, const std::string& prefix, Millis timeout) {
    CallPolicy policy;
    policy.timeout = timeout;
    policy.bulkhead = RESERVO_TRY(RequireCount(config, prefix + ".bulkhead"));
    policy.breaker = RESERVO_TRY(ReadBreaker(config, prefix));
    policy.retry = RetryPolicy{};  // max-attempts 1: a proxy never sends a request twice
    policy.answers_5xx_fail = false;
    return Checked(std::move(policy), prefix);
}

Status CallPolicy::Validate() const {
    if (timeout <= Millis{0}) return Fail(Code::kInvalidArgument, "timeout-ms must be positive");
    if (bulkhead < 1) return Fail(Code::kInvalidArgument, "bulkhead must be at least 1");
    if (auto ok = breaker.Validate(); !ok) return ok;
    return retry.Validate();
}

}  // namespace reservo
