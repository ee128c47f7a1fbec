#include "kit/service/loop_watch.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <utility>

namespace reservo::service {

struct LoopWatch::Impl : std::enable_shared_from_this<Impl> {
    Impl(boost::asio::io_context& io, Millis tick, Millis threshold) : timer(io), tick(tick), threshold(threshold) {}

    void Schedule() {
        timer.expires_after(tick);
        timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self) return;
            self->Tick();
            self->Schedule();
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
    std::deque<std::pair<SteadyClock::time_point, SteadyClock::time_point>> stalls;
    int count = 0;
};

LoopWatch::LoopWatch(boost::asio::io_context& io, Millis tick, Millis threshold)
    : impl_(std::make_shared<Impl>(io, tick, threshold)) {}

LoopWatch::~LoopWatch() { impl_->timer.cancel(); }

void LoopWatch::Start() {
    impl_->last_tick = SteadyClock::now();
    impl_->Schedule();
}

bool LoopWatch::StalledDuring(SteadyClock::time_point from, SteadyClock::time_point to) const {
    if (SteadyClock::now() - impl_->last_tick > impl_->threshold) return true;
    for (const auto& [begin, end] : impl_->stalls) {
        if (begin <= to && end >= from) return true;
    }
    return false;
}

int LoopWatch::stalls() const { return impl_->count; }

}  // namespace reservo::service
