// Notices when this process's event loop stood still — SIGSTOP, a blocking call, a swapped-out
// page — so that a call which timed out while its *caller* was stalled is not held against the
// callee: after a pause, every call in flight times out at once, and counting them would open a
// circuit against a healthy dependency.
//
//   LoopWatch watch(io);
//   watch.Start();
//   ...
//   auto watching = watch.Watch();  // for as long as the call is in flight
//   if (!watch.StalledDuring(call_start, SteadyClock::now())) breaker.OnResult(elapsed, code);
//
// The loop is watched only while someone holds a Watching: an idle process is not woken 50 times
// a second to time a loop that has nothing in flight.
#pragma once

#include <memory>

#include "kit/core/clock.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::service {

class LoopWatch final {
    struct Impl;

  public:
    // The loop is watched every `tick`; a gap longer than `threshold` between two ticks is a stall.
    explicit LoopWatch(boost::asio::io_context& io, Millis tick = Millis(20), Millis threshold = Millis(200));
    ~LoopWatch();
    LoopWatch(const LoopWatch&) = delete;
    LoopWatch& operator=(const LoopWatch&) = delete;

    void Start();

    // Keeps the loop watched while it lives (ticks start with the first holder and stop with the
    // last one). Stalls are noticed only while held: hold one across the interval you will ask about.
    class Watching final {
      public:
        Watching() = default;
        Watching(Watching&& other) noexcept;
        Watching& operator=(Watching&& other) noexcept;
        Watching(const Watching&) = delete;
        Watching& operator=(const Watching&) = delete;
        ~Watching();

      private:
        friend class LoopWatch;
        explicit Watching(std::shared_ptr<LoopWatch::Impl> watch);
        std::shared_ptr<LoopWatch::Impl> watch_;
    };
    [[nodiscard]] Watching Watch() const;
    // Whether the loop stood still at some time in [from, to], or stands still now (it has not
    // ticked for longer than the threshold: the stall is over but not yet noticed).
    bool StalledDuring(SteadyClock::time_point from, SteadyClock::time_point to) const;
    // Stalls seen so far.
    int stalls() const;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::service
