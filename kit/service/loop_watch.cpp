#include "kit/service/loop_watch.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <utility>

namespace reservo::service {

struct LoopWatch::Impl : std::enable_shared_from_this<Impl> {
    Impl(boost::asio::io_context& io, Millis tick, Millis threshold) : timer(io), tick(tick), threshold(threshold) {}

    void Hold() {
        if (holds++ > 0 || !started || ticking) return;
        last_tick = SteadyClock::now();  // unwatched until now: that was idleness, not a stall
        ticking = true;
        Schedule();
    }

    void Schedule() {
        timer.expires_after(tick);
        timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self) return;
            self->Tick();
            if (self->holds > 0) {
                self->Schedule();
            } else {
                self->ticking = false;  // nobody in flight: sleep until the next holder
            }
        });
    }

    void Tick() {
        auto now = SteadyClock::now();
        if (now - last_tick > threshold) {
            stalls.emplace_back(last_tick, now);
            if (stalls.size() > 16) stalls.pop_front();
            ++count;
        }
        last_tick = now;
    }

    boost::asio::steady_timer timer;
    Millis tick;
    Millis threshold;
    SteadyClock::time_point last_tick = SteadyClock::now();
    int holds = 0;
    bool started = false;
    bool ticking = false;
    std::deque<std::pair<SteadyClock::time_point, SteadyClock::time_point>> stalls;
    int count = 0;
};

LoopWatch::LoopWatch(boost::asio::io_context& io, Millis tick, Millis threshold)
    : impl_(std::make_shared<Impl>(io, tick, threshold)) {}

LoopWatch::~LoopWatch() { impl_->timer.cancel(); }

void LoopWatch::Start() {
    impl_->started = true;
    if (impl_->holds > 0 && !impl_->ticking) {
        impl_->last_tick = SteadyClock::now();
        impl_->ticking = true;
        impl_->Schedule();
    }
}

LoopWatch::Watching LoopWatch::Watch() const {
    impl_->Hold();
    return Watching(impl_);
}

LoopWatch::Watching::Watching(std::shared_ptr<LoopWatch::Impl> watch) : watch_(std::move(watch)) {}

LoopWatch::Watching::Watching(Watching&& other) noexcept : watch_(std::move(other.watch_)) {}

LoopWatch::Watching& LoopWatch::Watching::operator=(Watching&& other) noexcept {
    if (this != &other) {
        if (watch_) --watch_->holds;
        watch_ = std::move(other.watch_);
    }
    return *this;
}

LoopWatch::Watching::~Watching() {
    if (watch_) --watch_->holds;
}

bool LoopWatch::StalledDuring(SteadyClock::time_point from, SteadyClock::time_point to) const {
    if (impl_->ticking && SteadyClock::now() - impl_->last_tick > impl_->threshold) return true;
    for (const auto& [begin, end] : impl_->stalls) {
        if (begin <= to && end >= from) return true;
    }
    return false;
}

int LoopWatch::stalls() const { return impl_->count; }

}  // namespace reservo::service
