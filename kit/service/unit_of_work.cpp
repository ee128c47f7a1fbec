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
    // On a fiber, Begin waits — for the process's other writers in line, then for another process's
    // lock — without holding the loop, until the request's deadline or max_wait.
    const auto caller_deadline = deadline::Current();
    auto give_up = SteadyClock::now() + max_wait_;
    if (caller_deadline) give_up = std::min(give_up, *caller_deadline);
    deadline::SetCurrent(give_up);
    auto tx = ctx_.db().Begin();
    deadline::SetCurrent(caller_deadline);
    if (!tx && tx.error().code == Code::kUnavailable && tx.error().message.find("lock") != std::string::npos)
        return Fail(Code::kUnavailable, std::string(kBusy));
    return tx;
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
