#include "kit/service/fault_latency.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reservo::service {
namespace {

using namespace std::chrono_literals;

const SteadyClock::time_point t0 = SteadyClock::now();

TEST(FaultLatencyTest, PerRequestEveryRequestDrawsItsOwnDelay) {
    FaultLatency latency;
    EXPECT_EQ(latency.Until("k", t0, 500ms), t0 + 500ms);
    EXPECT_EQ(latency.Until("k", t0 + 100ms, 400ms), t0 + 500ms);
    EXPECT_EQ(latency.Until("k", t0 + 600ms, 450ms), t0 + 1050ms) << "the same key again: held again";
    EXPECT_EQ(latency.remembered(), 0u);
}

TEST(FaultLatencyTest, PerKeyARepeatInFlightIsHeldUntilTheSameMoment) {
    FaultLatency latency(FaultLatency::Per::kIdempotencyKey);
    EXPECT_EQ(latency.Until("reservation-1", t0, 610ms), t0 + 610ms);
    // The caller timed out at 600 ms and retried: the retry joins the work in flight.
    EXPECT_EQ(latency.Until("reservation-1", t0 + 605ms, 550ms), t0 + 610ms);
    // Another key is other work: its own full delay.
    EXPECT_EQ(latency.Until("reservation-2", t0 + 605ms, 400ms), t0 + 1005ms);
}

TEST(FaultLatencyTest, PerKeyARepeatAfterTheWorkIsNotHeld) {
    FaultLatency latency(FaultLatency::Per::kIdempotencyKey);
    latency.Until("reservation-1", t0, 610ms);
    const auto later = t0 + 650ms;
    EXPECT_EQ(latency.Until("reservation-1", later, 500ms), t0 + 610ms) << "already past: no wait";
    EXPECT_LT(latency.Until("reservation-1", later, 500ms), later);
}

TEST(FaultLatencyTest, PerKeyARequestWithoutAKeyIsItsOwnWork) {
    FaultLatency latency(FaultLatency::Per::kIdempotencyKey);
    EXPECT_EQ(latency.Until(std::nullopt, t0, 500ms), t0 + 500ms);
    EXPECT_EQ(latency.Until(std::nullopt, t0 + 10ms, 500ms), t0 + 510ms);
    EXPECT_EQ(latency.remembered(), 0u);
}

TEST(FaultLatencyTest, PerKeyWorkLongDoneIsForgottenAndARepeatIsNewWork) {
    FaultLatency latency(FaultLatency::Per::kIdempotencyKey);
    latency.Until("a", t0, 500ms);
    EXPECT_EQ(latency.Until("a", t0 + 500ms + 61s, 400ms), t0 + 500ms + 61s + 400ms);
    // Many keys: old ones are pruned, so memory stays bounded by the recent ones.
    for (int i = 0; i < 5000; ++i) latency.Until("old-" + std::to_string(i), t0, 1ms);
    const auto much_later = t0 + 10min;
    for (int i = 0; i < 4000; ++i) latency.Until("new-" + std::to_string(i), much_later, 1ms);
    EXPECT_LT(latency.remembered(), 5000u);
    EXPECT_GE(latency.remembered(), 3000u);
}

}  // namespace
}  // namespace reservo::service
