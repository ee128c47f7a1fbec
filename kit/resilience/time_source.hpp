// The clock every resilience primitive reads, injectable so tests control time.
//
// Production code passes nothing and gets std::chrono::steady_clock; a test drives a ManualClock:
//
//   ManualClock clock;
//   CircuitBreaker breaker(policy, clock.Source());
//   clock.Advance(Millis{2000});  // the open wait is over, without sleeping
//
// Each service runs on one event-loop thread, so nothing here is synchronised.
#pragma once

#include <functional>

#include "kit/core/clock.hpp"

namespace reservo {

using TimeSource = std::function<SteadyClock::time_point()>;

inline TimeSource SteadyTime() {
    return [] { return SteadyClock::now(); };
}

// A clock that moves only when told to. It must outlive every Source() handed out.
class ManualClock final {
  public:
    SteadyClock::time_point Now() const { return now_; }
    void Advance(SteadyClock::duration by) { now_ += by; }
    TimeSource Source() {
        return [this] { return now_; };
    }

  private:
    // Far from the epoch, so that subtracting a window never underflows.
    SteadyClock::time_point now_ = SteadyClock::time_point{} + std::chrono::hours{24};
};

}  // namespace reservo
