// The policy of one synchronous call to a dependency, read from the system YAML — the one
// place where timeouts, breaker thresholds, bulkhead sizes and retries are declared.
//
//   Result<CallPolicy> policy = CallPolicy::FromConfig(config, "services.reservation.dependencies.vaccine-mgmt");
//   if (!policy) return Fail(policy.error());  // names the key: "...vaccine-mgmt.bulkhead: required key missing"
//   CircuitBreaker breaker(policy->breaker);
//   Bulkhead bulkhead(policy->bulkhead);
//
// Keys under the prefix:
//   timeout-ms, bulkhead,
//   circuit-breaker.{window-size, minimum-calls, failure-rate-threshold, slow-call-duration-ms,
//                    slow-call-rate-threshold, open-wait-ms, half-open-calls}: required;
//   retry.{max-attempts, backoff-ms, multiplier, max-backoff-ms, jitter, budget-percent}: optional —
//   no `retry` means no retry, and a retry key left out keeps RetryPolicy's value.
// The member values below are what a policy built in code (a test) starts from; a service's
// come from the YAML, never from here.
#pragma once

#include <string>

#include "kit/core/clock.hpp"
#include "kit/core/config.hpp"
#include "kit/core/error.hpp"
#include "kit/resilience/circuit_breaker.hpp"
#include "kit/resilience/retry.hpp"

namespace reservo {

struct CallPolicy {
    Millis timeout{1000};          // deadline of one attempt
    CircuitBreakerPolicy breaker;  // circuit-breaker.*
    int bulkhead = 64;             // calls in flight at once
    RetryPolicy retry;             // retry.*; no retry unless max-attempts > 1
    // Whether a 5xx answer counts against the breaker. A proxy passes the answers of its upstream
    // on and holds only transport failures and timeouts against it.
    bool answers_5xx_fail = true;

    // Reads the keys under `prefix` (without a trailing dot); fails naming the first key missing,
    // unreadable or out of range, with the prefix.
    static Result<CallPolicy> FromConfig(const Config& config, const std::string& prefix);
    // A proxy's policy for one upstream: bulkhead and circuit-breaker.* under `prefix`, `timeout`
    // (the route's), no retry, and the upstream's 5xx answers passed on, not held against it.
    static Result<CallPolicy> ForProxy(const Config& config, const std::string& prefix, Millis timeout);

    // Names the first bad field by its key relative to the prefix.
    Status Validate() const;
};

}  // namespace reservo
