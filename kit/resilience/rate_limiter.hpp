// A token-bucket rate limiter: `rate_per_sec` sustained, bursts of up to `burst` calls.
// The gateway uses one per client or route and answers 429 with Retry-After when it refuses.
//
//   RateLimiter limiter(100, 20);  // 100 requests/s, 20 at once after a quiet spell
//   if (!limiter.TryAcquire()) return TooManyRequests(limiter.RetryAfter());
//
// The bucket starts full. Single-threaded by design (one event loop per service).
#pragma once

#include <cstdint>

#include "kit/core/clock.hpp"
#include "kit/resilience/time_source.hpp"

namespace reservo {

class RateLimiter final {
  public:
    // A rate of zero or less disables limiting; a burst below 1 is raised to 1.
    RateLimiter(double rate_per_sec, double burst, TimeSource now = SteadyTime());

    // Takes one token if there is one.
    bool TryAcquire();
    // How long until a token is available (rounded up to a whole millisecond); zero if one is now.
    Millis RetryAfter() const;
    // Tokens available now.
    double Available() const;

    double rate_per_sec() const { return rate_; }
    double burst() const { return burst_; }
    uint64_t permitted() const { return permitted_; }  // for metrics
    uint64_t rejected() const { return rejected_; }    // for metrics

  private:
    double TokensAt(SteadyClock::time_point now) const;

    double rate_;
    double burst_;
    TimeSource now_;
    double tokens_;
    SteadyClock::time_point updated_;
    uint64_t permitted_ = 0;
    uint64_t rejected_ = 0;
};

}  // namespace reservo
