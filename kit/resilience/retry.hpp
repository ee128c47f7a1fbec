// Retries for idempotent outbound calls: how many, how far apart, and a budget that stops a
// struggling dependency from being hit by a retry storm.
//
//   RetryPolicy policy = call_policy.retry;          // max_attempts 3, backoff 50 ms, ...
//   RetryBudget budget({.percent = policy.budget_percent});
//   budget.OnRequest();
//   for (int attempt = 1;; ++attempt) {
//       Result<Lot> lot = co_await Call(...);
//       if (lot || !policy.MayRetry(attempt, lot.error().code) || !budget.TryRetry()) co_return lot;
//       co_await Sleep(policy.Backoff(attempt, uniform(rng)));
//   }
//
// The budget follows Finagle's and Envoy's retry budgets: within a sliding window, retries may
// be at most `percent` of the requests plus a small reserve, so a dependency that fails for
// everyone sees at most (1 + percent/100)× its normal load instead of max_attempts×.
#pragma once

#include <array>
#include <cstdint>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"
#include "kit/resilience/time_source.hpp"

namespace reservo {

struct RetryPolicy {
    int max_attempts = 1;        // attempts in all, the first included; 1 means no retry
    Millis backoff{50};          // delay before the first retry
    double multiplier = 2;       // each further retry waits this many times longer
    Millis max_backoff{1000};    // cap on a single delay
    double jitter = 0.5;         // fraction of the delay that is randomised away (0 none, 1 full)
    double budget_percent = 20;  // retries allowed per 100 requests (RetryBudget)

    // Nominal delay before retry number `retry` (1 for the first): backoff·multiplier^(retry-1),
    // capped at max_backoff; zero for retry < 1.
    Millis Backoff(int retry) const;
    // The same with jitter: uniformly within [(1 - jitter)·d, d] for `unit_random` in [0, 1).
    Millis Backoff(int retry, double unit_random) const;
    // Whether a call that made `attempts_made` attempts and last ended with `code` may go again.
    // Only transient codes are retried; the caller must also know the call is idempotent.
    bool MayRetry(int attempts_made, Code code) const;

    // Names the first bad field by its config key (`retry.max-attempts ...`).
    Status Validate() const;
};

struct RetryBudgetOptions {
    double percent = 20;    // retries allowed per 100 requests in the window
    int min_retries = 10;   // retries always allowed per window, so a quiet service can retry
    Millis window{10'000};  // how long a request or retry counts
};

class RetryBudget final {
  public:
    explicit RetryBudget(RetryBudgetOptions options = {}, TimeSource now = SteadyTime());

    // Records an original request (not a retry); each adds percent/100 of a retry to the budget.
    void OnRequest();
    // Whether one more retry fits the budget now.
    bool CanRetry();
    // Records a retry that is going out.
    void OnRetry();
    // CanRetry() and, if so, OnRetry().
    bool TryRetry();

    // Retries still allowed now (may be fractional or negative).
    double Balance();
    uint64_t exhausted() const { return exhausted_; }  // times a retry was refused, for metrics
    const RetryBudgetOptions& options() const { return options_; }

  private:
    static constexpr int kBuckets = 10;
    struct Bucket {
        int64_t epoch = -1;  // which slice of time it counts; -1 never used
        uint64_t requests = 0;
        uint64_t retries = 0;
    };

    Bucket& Current();

    RetryBudgetOptions options_;
    TimeSource now_;
    SteadyClock::time_point origin_;
    SteadyClock::duration slice_;
    std::array<Bucket, kBuckets> buckets_{};
    uint64_t exhausted_ = 0;
};

}  // namespace reservo
