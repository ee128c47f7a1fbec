#include "kit/service/loop_watch.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

namespace reservo::service {
namespace {

using namespace std::chrono_literals;

TEST(LoopWatch, ABlockedLoopIsAStallAndABusyOneIsNot) {
    boost::asio::io_context io;
    LoopWatch watch(io, 10ms, 100ms);
    watch.Start();
    auto start = SteadyClock::now();
    SteadyClock::time_point before_block, after_block;
    bool seen_while_stalled = false;
    boost::asio::steady_timer t1(io, 150ms);
    t1.async_wait([&](auto) {
        before_block = SteadyClock::now();
        std::this_thread::sleep_for(300ms);  // the loop stands still, as under SIGSTOP
        after_block = SteadyClock::now();
        // Right after the stall, before the watch ticked again, it is already known.
        seen_while_stalled = watch.StalledDuring(before_block, after_block);
    });
    boost::asio::steady_timer t2(io, 700ms);
    t2.async_wait([&](auto) { io.stop(); });
    io.run();
    EXPECT_TRUE(seen_while_stalled);
    EXPECT_EQ(watch.stalls(), 1);
    EXPECT_TRUE(watch.StalledDuring(start, SteadyClock::now()));
    EXPECT_FALSE(watch.StalledDuring(start, before_block - 60ms));
    EXPECT_FALSE(watch.StalledDuring(after_block + 60ms, SteadyClock::now()));
}

}  // namespace
}  // namespace reservo::service
