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
    auto watching = watch.Watch();
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

TEST(LoopWatch, NothingTicksWhileNobodyWatches) {
    boost::asio::io_context io;
    LoopWatch watch(io, 10ms, 100ms);
    watch.Start();
    // No holder: nothing is scheduled, so the loop has no work and run() returns at once.
    auto start = SteadyClock::now();
    io.run();
    EXPECT_LT(SteadyClock::now() - start, 5ms);

    {
        auto watching = watch.Watch();
        io.restart();
        EXPECT_GE(io.run_for(55ms), 4u) << "about one tick per 10 ms while held";
    }
    // The last holder went: the pending tick is the last one.
    io.restart();
    start = SteadyClock::now();
    EXPECT_LE(io.run(), 1u);
    EXPECT_LT(SteadyClock::now() - start, 50ms);
}

TEST(LoopWatch, IdlenessWhileUnwatchedIsNotAStall) {
    boost::asio::io_context io;
    LoopWatch watch(io, 10ms, 100ms);
    watch.Start();
    std::this_thread::sleep_for(150ms);  // longer than the threshold, with nobody watching
    auto watching = watch.Watch();
    const auto from = SteadyClock::now();
    EXPECT_FALSE(watch.StalledDuring(from, SteadyClock::now()));
    io.run_for(30ms);
    EXPECT_FALSE(watch.StalledDuring(from, SteadyClock::now()));
    EXPECT_EQ(watch.stalls(), 0);
}

}  // namespace
}  // namespace reservo::service
