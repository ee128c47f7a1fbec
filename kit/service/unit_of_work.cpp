#include "kit/service/unit_of_work.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kit/core/clock.hpp"
#include "kit/core/deadline.hpp"
#include "kit/core/trace.hpp"

namespace reservo::service {

namespace {
constexpr std::string_view kBusy = "the store is busy (another process holds its write lock); nothing was done";
}

Result<store::Transaction> UnitOfWork::BeginOnFiber() {
    auto give_up = SteadyClock::now() + max_wait_;
    if (auto caller_deadline = deadline::Current()) give_up = std::min(give_up, *caller_deadline);
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        // On a fiber this waits its turn behind the process's other writers; busy means another process.
        auto tx = ctx_.db().TryBegin();
        if (tx || tx.error().code != Code::kUnavailable) return tx;
        if (SteadyClock::now() + pause >= give_up) return Fail(Code::kUnavailable, std::string(kBusy));
        fiber::Sleep(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

http::Awaitable<Result<store::Transaction>> UnitOfWork::Begin() {
    // Other requests run while this one waits: what is "current" is restored after each pause.
    const std::string caller_trace = trace::Current();
    const auto caller_deadline = deadline::Current();
    auto give_up = SteadyClock::now() + max_wait_;
    if (caller_deadline) give_up = std::min(give_up, *caller_deadline);
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        auto tx = ctx_.db().TryBegin();
        if (tx || tx.error().code != Code::kUnavailable) co_return tx;
        if (SteadyClock::now() + pause >= give_up) {
            co_return Fail(Code::kUnavailable, std::string(kBusy));
        }
        boost::asio::steady_timer timer(ctx_.io(), pause);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        trace::SetCurrent(caller_trace);
        deadline::SetCurrent(caller_deadline);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

}  // namespace reservo::service
