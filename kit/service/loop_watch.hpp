// Notices when this process's event loop stood still — SIGSTOP, a blocking call, a swapped-out
// page — so that a call which timed out while its *caller* was stalled is not held against the
// callee: after a pause, every call in flight times out at once, and counting them would open a
// circuit against a healthy dependency.
//
//   LoopWatch watch(io);
//   watch.Start();
//   ...
//   if (!watch.StalledDuring(call_start, SteadyClock::now())) breaker.OnResult(elapsed, code);
#pragma once

#include <memory>

#include "kit/core/clock.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::service {

class LoopWatch final {
  public:
    // The loop is watched every `tick`; a gap longer than `threshold` between two ticks is a stall.
    explicit LoopWatch(boost::asio::io_context& io, Millis tick = Millis(20), Millis threshold = Millis(200));
    ~LoopWatch();
    LoopWatch(const LoopWatch&) = delete;
    LoopWatch& operator=(const LoopWatch&) = delete;

    void Start();
    // Whether the loop stood still at some time in [from, to], or stands still now (it has not
    // ticked for longer than the threshold: the stall is over but not yet noticed).
    bool StalledDuring(SteadyClock::time_point from, SteadyClock::time_point to) const;
    // Stalls seen so far.
    int stalls() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::service
