#include "kit/core/fiber.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "kit/core/deadline.hpp"
#include "kit/core/trace.hpp"

namespace reservo::fiber {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

void SleepOnFiber(std::chrono::milliseconds d) { Sleep(d); }

// Runs `body` as a coroutine on a fresh loop until everything spawned is done.
template <class F>
void OnLoop(F body) {
    asio::io_context io;
    asio::co_spawn(io, body(io), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    io.run();
}

TEST(Fiber, ReturnsWhatTheFunctionReturnsAndKnowsWhereItRuns) {
    EXPECT_FALSE(Inside());
    OnLoop([](asio::io_context& io) -> asio::awaitable<void> {
        const void* id = nullptr;
        int v = co_await Call(io, [&] {
            id = Id();
            return Inside() ? 42 : -1;
        });
        EXPECT_EQ(v, 42);
        EXPECT_NE(id, nullptr);
        EXPECT_FALSE(Inside());
    });
}

TEST(Fiber, TheLoopRunsOtherWorkWhileAFiberWaits) {
    std::vector<std::string> order;
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer t(io, 5ms);
                co_await t.async_wait(asio::use_awaitable);
                order.push_back("other work");
            },
            asio::detached);
        std::function<void()> body = [&] {
            order.push_back("fiber starts");
            SleepOnFiber(30ms);
            order.push_back("fiber resumes");
        };
        co_await fiber::Run(io, body);
    });
    EXPECT_EQ(order, (std::vector<std::string>{"fiber starts", "other work", "fiber resumes"}));
}

TEST(Fiber, TwoFibersInterleaveEachOnItsOwnStack) {
    std::vector<std::string> order;
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        auto one = [&](std::string name, std::chrono::milliseconds first) -> asio::awaitable<void> {
            std::function<void()> body = [&, name, first] {
                char local[64 * 1024];  // a deep frame on each stack, alive across the suspension
                local[0] = name[0];
                local[sizeof local - 1] = name[0];
                SleepOnFiber(first);
                order.push_back(name + std::string(1, local[0]) + std::string(1, local[sizeof local - 1]));
            };
            co_await fiber::Run(io, body);
        };
        asio::co_spawn(io, one("a", 20ms), asio::detached);
        co_await one("b", 5ms);
        asio::steady_timer t(io, 40ms);
        co_await t.async_wait(asio::use_awaitable);
    });
    EXPECT_EQ(order, (std::vector<std::string>{"bbb", "aaa"}));
}

TEST(Fiber, TraceAndDeadlineAreTheFibersOwnAfterASuspension) {
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        const auto mine = SteadyClock::now() + 10s;
        trace::SetCurrent("00-11111111111111111111111111111111-1111111111111111-01");
        deadline::SetCurrent(mine);
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {  // runs while the fiber waits, and changes both
                asio::steady_timer t(io, 1ms);
                co_await t.async_wait(asio::use_awaitable);
                trace::SetCurrent("00-22222222222222222222222222222222-2222222222222222-01");
                deadline::SetCurrent(std::nullopt);
                co_return;
            },
            asio::detached);
        std::string seen_trace;
        std::optional<deadline::Time> seen_deadline;
        std::function<void()> body = [&] {
            SleepOnFiber(5ms);
            seen_trace = trace::Current();
            seen_deadline = deadline::Current();
        };
        co_await fiber::Run(io, body);
        EXPECT_EQ(seen_trace, "00-11111111111111111111111111111111-1111111111111111-01");
        EXPECT_EQ(seen_deadline, mine);
        EXPECT_EQ(trace::Current(), seen_trace);  // the awaiting coroutine's too
    });
}

TEST(Fiber, WhatTheFunctionThrowsIsThrownToTheAwaiter) {
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        bool caught = false;
        std::function<void()> body = [] {
            SleepOnFiber(1ms);
            throw std::runtime_error("boom");
        };
        try {
            co_await fiber::Run(io, body);
        } catch (const std::runtime_error& e) {
            caught = std::string(e.what()) == "boom";
        }
        EXPECT_TRUE(caught);
    });
}

TEST(Fiber, AResumeCalledTooEarlyStillContinuesTheFiberOnce) {
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        int after = 0;
        std::function<void()> body = [&] {
            Suspend([](Resume resume) { resume(); });  // before the fiber got away
            ++after;
        };
        co_await fiber::Run(io, body);
        EXPECT_EQ(after, 1);
    });
}

TEST(Fiber, ManyFibersReuseStacks) {
    OnLoop([&](asio::io_context& io) -> asio::awaitable<void> {
        int sum = 0;
        for (int i = 0; i < 2000; ++i) sum += co_await Call(io, [i] { return i % 3; });
        EXPECT_EQ(sum, 1999);
    });
}

}  // namespace
}  // namespace reservo::fiber
