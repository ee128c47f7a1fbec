#include "kit/resilience/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace reservo {
namespace {

class RateLimiterTest : public ::testing::Test {
  protected:
    ManualClock clock_;
};

TEST_F(RateLimiterTest, AllowsABurstThenRefuses) {
    RateLimiter limiter(10, 3, clock_.Source());
    EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_FALSE(limiter.TryAcquire());
    EXPECT_EQ(limiter.permitted(), 3u);
    EXPECT_EQ(limiter.rejected(), 1u);
}

TEST_F(RateLimiterTest, RefillsAtTheRate) {
    RateLimiter limiter(10, 1, clock_.Source());  // one token every 100 ms
    ASSERT_TRUE(limiter.TryAcquire());
    EXPECT_EQ(limiter.RetryAfter(), Millis{100});
    clock_.Advance(Millis{60});
    EXPECT_FALSE(limiter.TryAcquire());
    EXPECT_EQ(limiter.RetryAfter(), Millis{40});
    clock_.Advance(Millis{40});
    EXPECT_EQ(limiter.RetryAfter(), Millis{0});
    EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_FALSE(limiter.TryAcquire());
}

TEST_F(RateLimiterTest, SustainsTheRateOverTime) {
    RateLimiter limiter(50, 5, clock_.Source());
    int permitted = 0;
    for (int ms = 0; ms < 10'000; ++ms) {  // one attempt per millisecond for 10 s
        permitted += limiter.TryAcquire() ? 1 : 0;
        clock_.Advance(Millis{1});
    }
    EXPECT_GE(permitted, 500);  // 50/s for 10 s plus the initial burst of 5
    EXPECT_LE(permitted, 505);
}

TEST_F(RateLimiterTest, IdleTimeFillsNoMoreThanTheBurst) {
    RateLimiter limiter(100, 4, clock_.Source());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.TryAcquire());
    clock_.Advance(Millis{60'000});
    EXPECT_DOUBLE_EQ(limiter.Available(), 4.0);
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_FALSE(limiter.TryAcquire());
}

TEST_F(RateLimiterTest, RetryAfterRoundsUpAndIsEnough) {
    RateLimiter limiter(3, 1, clock_.Source());  // a token every 333.3 ms
    ASSERT_TRUE(limiter.TryAcquire());
    const Millis wait = limiter.RetryAfter();
    EXPECT_EQ(wait, Millis{334});
    clock_.Advance(wait - Millis{1});
    EXPECT_FALSE(limiter.TryAcquire());
    clock_.Advance(Millis{1});
    EXPECT_TRUE(limiter.TryAcquire());
}

TEST_F(RateLimiterTest, SlowRatesWaitSeconds) {
    RateLimiter limiter(0.5, 1, clock_.Source());
    ASSERT_TRUE(limiter.TryAcquire());
    EXPECT_EQ(limiter.RetryAfter(), Millis{2000});
}

TEST_F(RateLimiterTest, NonPositiveRateDisablesLimiting) {
    RateLimiter limiter(0, 1, clock_.Source());
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.TryAcquire());
    EXPECT_EQ(limiter.RetryAfter(), Millis{0});
    EXPECT_EQ(limiter.rejected(), 0u);
}

TEST_F(RateLimiterTest, BurstBelowOneBecomesOne) {
    RateLimiter limiter(1, 0.2, clock_.Source());
    EXPECT_DOUBLE_EQ(limiter.burst(), 1.0);
    EXPECT_TRUE(limiter.TryAcquire());
    EXPECT_FALSE(limiter.TryAcquire());
}

}  // namespace
}  // namespace reservo
