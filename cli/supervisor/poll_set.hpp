// One turn of the supervisor's event loop: the descriptors to wait on, each with what to do
// when it is ready, and the earliest time something is due without any descriptor.
//
//   PollSet poll(SteadyClock::now(), Millis(50));
//   poll.Add(fd, POLLIN, [&] { ReadIt(); });
//   poll.WakeBy(next_probe_at);
//   poll.Wait();  // runs the callbacks of the ready descriptors, in the order added
#pragma once

#include <poll.h>

#include <functional>
#include <vector>

#include "kit/core/clock.hpp"

namespace reservo::cli {

class PollSet final {
  public:
    // Waits at most `max_wait` from `now`.
    PollSet(SteadyClock::time_point now, Millis max_wait);

    void Add(int fd, short events, std::function<void()> on_ready);
    // Something is due at `at` (a retry, a probe, a restart): wait no longer than that.
    void WakeBy(SteadyClock::time_point at);
    // Polls, then calls on_ready of every descriptor with events. Callbacks may not remove
    // what another registered callback refers to.
    void Wait();

  private:
    SteadyClock::time_point now_;
    SteadyClock::time_point wake_at_;
    Millis max_wait_;
    std::vector<pollfd> fds_;
    std::vector<std::function<void()>> callbacks_;
};

}  // namespace reservo::cli
