// The policy of one synchronous call to a dependency, read from the system YAML — the one
// place where timeouts, breaker thresholds, bulkhead sizes and retries are declared.
//
//   CallPolicy policy = CallPolicy::FromConfig(config, "services.reservation.dependencies.vaccine-mgmt");
//   if (auto ok = policy.Validate(); !ok) return Fail(ok.error());
//   CircuitBreaker breaker(policy.breaker);
//   Bulkhead bulkhead(policy.bulkhead);
//
// Keys under the prefix (all optional; a missing key keeps the default below):
//   timeout-ms, bulkhead,
//   circuit-breaker.{window-size, minimum-calls, failure-rate-threshold, slow-call-duration-ms,
//                    slow-call-rate-threshold, open-wait-ms, half-open-calls},
//   retry.{max-attempts, backoff-ms, multiplier, max-backoff-ms, jitter, budget-percent}.
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

    // Reads the keys under `prefix` (without a trailing dot).
    static CallPolicy FromConfig(const Config& config, const std::string& prefix);

    // Names the first bad field by its key relative to the prefix.
    Status Validate() const;
};

}  // namespace reservo
