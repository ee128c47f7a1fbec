#include "kit/resilience/rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace reservo {

namespace {
// Refill is computed in floating point; a token short by rounding error is still a token.
constexpr double kEpsilon = 1e-9;
}  // namespace

RateLimiter::RateLimiter(double rate_per_sec, double burst, TimeSource now)
    : rate_(rate_per_sec),
      burst_(std::max(burst, 1.0)),
      now_(now ? std::move(now) : SteadyTime()),
      tokens_(burst_),
      updated_(now_()) {}

double RateLimiter::TokensAt(SteadyClock::time_point now) const {
    const double elapsed =
        std::chrono::duration<double>(std::max(now - updated_, SteadyClock::duration::zero())).count();
    return std::min(burst_, tokens_ + elapsed * rate_);
}

bool RateLimiter::TryAcquire() {
    if (rate_ <= 0) {
        ++permitted_;
        return true;
    }
    const auto now = now_();
    tokens_ = TokensAt(now);
    updated_ = std::max(updated_, now);
    if (tokens_ < 1.0 - kEpsilon) {
        ++rejected_;
        return false;
    }
    tokens_ = std::max(tokens_ - 1.0, 0.0);
    ++permitted_;
    return true;
}

Millis RateLimiter::RetryAfter() const {
    if (rate_ <= 0) return Millis{0};
    const double missing = 1.0 - TokensAt(now_());
    if (missing <= kEpsilon) return Millis{0};
    return Millis{static_cast<Millis::rep>(std::ceil(missing * 1000.0 / rate_))};
}

double RateLimiter::Available() const { return rate_ <= 0 ? burst_ : TokensAt(now_()); }

}  // namespace reservo
