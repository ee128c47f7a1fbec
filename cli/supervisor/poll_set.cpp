#include "cli/supervisor/poll_set.hpp"

#include <algorithm>

#include "cli/supervisor/posix.hpp"

namespace reservo::cli {

PollSet::PollSet(SteadyClock::time_point now, Millis max_wait)
    : now_(now), wake_at_(now + max_wait), max_wait_(max_wait) {}

void PollSet::Add(int fd, short events, std::function<void()> on_ready) {
    fds_.push_back(pollfd{fd, events, 0});
    callbacks_.push_back(std::move(on_ready));
}

void PollSet::WakeBy(SteadyClock::time_point at) { wake_at_ = std::min(wake_at_, at); }

void PollSet::Wait() {
    // +1: wake just after the due time, not just before it.
    int timeout = static_cast<int>(std::clamp<int64_t>(ToMillis(wake_at_ - now_) + 1, 0, max_wait_.count()));
    int n = ::poll(fds_.data(), fds_.size(), timeout);
    if (n <= 0) return;
    for (size_t i = 0; i < fds_.size(); ++i) {
        if (fds_[i].revents != 0) callbacks_[i]();
    }
}

}  // namespace reservo::cli
