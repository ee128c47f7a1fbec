#include "kit/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace reservo {
namespace {

using State = CircuitState;

constexpr Millis kFast{10};
constexpr Millis kSlow{600};

class CircuitBreakerTest : public ::testing::Test {
  protected:
    // Default policy: window 20, minimum 10, failure 50%, slow > 500 ms at 80%, open 2 s, 3 probes.
    CircuitBreaker Make(CircuitBreakerPolicy policy = {}) { return CircuitBreaker(policy, clock_.Source()); }

    static void Succeed(CircuitBreaker& breaker, int n, Millis took = kFast) {
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(breaker.TryAcquirePermission());
            breaker.OnSuccess(took);
        }
    }
    static void FailCalls(CircuitBreaker& breaker, int n, Code code = Code::kUnavailable, Millis took = kFast) {
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(breaker.TryAcquirePermission());
            breaker.OnError(took, code);
        }
    }
    void Open(CircuitBreaker& breaker) {
        FailCalls(breaker, breaker.policy().minimum_calls);
        ASSERT_EQ(breaker.state(), State::kOpen);
    }
    void OpenThenWait(CircuitBreaker& breaker) {
        Open(breaker);
        clock_.Advance(breaker.policy().open_wait);
    }

    ManualClock clock_;
};

TEST_F(CircuitBreakerTest, StartsClosedAndPermitsCalls) {
    auto breaker = Make();
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.StateName(), "CLOSED");
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.counters().permitted, 1u);
    EXPECT_EQ(breaker.RetryAfter(), Millis{0});
}

TEST_F(CircuitBreakerTest, FailuresDoNotOpenBeforeMinimumCalls) {
    auto breaker = Make();
    FailCalls(breaker, 9);
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.FailureRate(), -1.0);
    EXPECT_EQ(breaker.BufferedCalls(), 9);
    FailCalls(breaker, 1);
    EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, OpensWhenFailureRateReachesThreshold) {
    auto breaker = Make();
    Succeed(breaker, 5);
    FailCalls(breaker, 4);
    EXPECT_EQ(breaker.state(), State::kClosed);
    FailCalls(breaker, 1);  // 5 of 10 = 50%, at the threshold
    EXPECT_EQ(breaker.state(), State::kOpen);
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 50.0);
}

TEST_F(CircuitBreakerTest, StaysClosedBelowFailureRateThreshold) {
    auto breaker = Make();
    Succeed(breaker, 11);
    FailCalls(breaker, 9);  // 45% of a full window
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 45.0);
    EXPECT_EQ(breaker.BufferedCalls(), 20);
}

TEST_F(CircuitBreakerTest, OldSuccessesLeaveTheWindow) {
    auto breaker = Make();
    Succeed(breaker, 100);
    FailCalls(breaker, 9);
    EXPECT_EQ(breaker.state(), State::kClosed);
    FailCalls(breaker, 1);  // 10 of the last 20, though only 10 of 110 overall
    EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, OldFailuresLeaveTheWindow) {
    auto breaker = Make({.window_size = 20, .minimum_calls = 20});
    FailCalls(breaker, 9);
    Succeed(breaker, 11);
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 45.0);
    Succeed(breaker, 11);  // pushes all 9 failures out
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 0.0);
    FailCalls(breaker, 9);
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 45.0);
}

TEST_F(CircuitBreakerTest, SlowCallsOpenTheCircuit) {
    auto breaker = Make();
    Succeed(breaker, 2, kFast);
    Succeed(breaker, 7, kSlow);
    EXPECT_EQ(breaker.state(), State::kClosed);
    Succeed(breaker, 1, kSlow);  // 8 of 10 slow = 80%
    EXPECT_EQ(breaker.state(), State::kOpen);
    EXPECT_DOUBLE_EQ(breaker.SlowCallRate(), 80.0);
    EXPECT_EQ(breaker.counters().slow, 8u);
    EXPECT_EQ(breaker.counters().failures, 0u);
}

TEST_F(CircuitBreakerTest, SlowMeansLongerThanTheSlowCallDuration) {
    auto breaker = Make();
    Succeed(breaker, 20, Millis{500});
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.counters().slow, 0u);
    EXPECT_TRUE(breaker.TryAcquirePermission());
    breaker.OnSuccess(Millis{500} + std::chrono::microseconds{1});
    EXPECT_EQ(breaker.counters().slow, 1u);
}

TEST_F(CircuitBreakerTest, SlowFailuresCountAsBothFailedAndSlow) {
    auto breaker = Make();
    FailCalls(breaker, 3, Code::kDeadlineExceeded, kSlow);
    EXPECT_EQ(breaker.counters().failures, 3u);
    EXPECT_EQ(breaker.counters().slow, 3u);
    EXPECT_EQ(breaker.counters().successes, 0u);
}

TEST_F(CircuitBreakerTest, OnlyInfrastructureCodesCountAsFailures) {
    EXPECT_TRUE(CountsAsFailure(Code::kUnavailable));
    EXPECT_TRUE(CountsAsFailure(Code::kDeadlineExceeded));
    EXPECT_TRUE(CountsAsFailure(Code::kInternal));
    for (Code code : {Code::kOk, Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists,
                      Code::kFailedPrecondition, Code::kAborted, Code::kPayloadTooLarge, Code::kResourceExhausted}) {
        EXPECT_FALSE(CountsAsFailure(code)) << CodeName(code);
    }
}

TEST_F(CircuitBreakerTest, BusinessErrorsAreSuccessesOfTheDependency) {
    auto breaker = Make();
    for (Code code : {Code::kFailedPrecondition, Code::kNotFound, Code::kInvalidArgument}) {
        FailCalls(breaker, 10, code);
    }
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.counters().failures, 0u);
    EXPECT_EQ(breaker.counters().successes, 30u);
    EXPECT_DOUBLE_EQ(breaker.FailureRate(), 0.0);
}

TEST_F(CircuitBreakerTest, OnResultDispatchesOnTheCode) {
    auto breaker = Make();
    ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnResult(kFast, Code::kOk);
    ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnResult(kFast, Code::kNotFound);
    ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnResult(kFast, Code::kInternal);
    EXPECT_EQ(breaker.counters().successes, 2u);
    EXPECT_EQ(breaker.counters().failures, 1u);
}

TEST_F(CircuitBreakerTest, OpenRejectsAndReportsRetryAfter) {
    auto breaker = Make();
    Open(breaker);
    EXPECT_EQ(breaker.StateName(), "OPEN");
    EXPECT_FALSE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.counters().rejected, 1u);
    EXPECT_EQ(breaker.RetryAfter(), Millis{2000});

    clock_.Advance(std::chrono::microseconds{1'500'400});
    EXPECT_EQ(breaker.RetryAfter(), Millis{500});  // 499.6 ms rounded up
    clock_.Advance(std::chrono::microseconds{499'599});
    EXPECT_FALSE(breaker.TryAcquirePermission());  // 1 µs left
    EXPECT_EQ(breaker.RetryAfter(), Millis{1});
    EXPECT_EQ(breaker.state(), State::kOpen);
    EXPECT_EQ(breaker.counters().rejected, 2u);
}

TEST_F(CircuitBreakerTest, AfterOpenWaitAllowsExactlyTheHalfOpenProbes) {
    auto breaker = Make();
    OpenThenWait(breaker);
    EXPECT_EQ(breaker.state(), State::kOpen);  // moves only on the next request
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.state(), State::kHalfOpen);
    EXPECT_EQ(breaker.StateName(), "HALF_OPEN");
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_FALSE(breaker.TryAcquirePermission());
    EXPECT_FALSE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.RetryAfter(), Millis{2000});
    EXPECT_EQ(breaker.counters().rejected, 2u);
}

TEST_F(CircuitBreakerTest, SuccessfulProbesCloseWithAnEmptyWindow) {
    auto breaker = Make();
    OpenThenWait(breaker);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnSuccess(kFast);
    breaker.OnSuccess(kFast);
    EXPECT_EQ(breaker.state(), State::kHalfOpen);  // decided only when all probes report
    breaker.OnSuccess(kFast);
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.BufferedCalls(), 0);
    EXPECT_EQ(breaker.FailureRate(), -1.0);
    EXPECT_EQ(breaker.RetryAfter(), Millis{0});

    FailCalls(breaker, 9);  // the failures from before the opening are forgotten
    EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, FailingProbesReopenForAFreshWait) {
    auto breaker = Make();
    OpenThenWait(breaker);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnError(kFast, Code::kUnavailable);
    breaker.OnSuccess(kFast);
    breaker.OnError(kFast, Code::kDeadlineExceeded);  // 2 of 3 failed
    EXPECT_EQ(breaker.state(), State::kOpen);
    EXPECT_EQ(breaker.RetryAfter(), Millis{2000});
    EXPECT_FALSE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.counters().opened, 2u);
}

TEST_F(CircuitBreakerTest, OneFailedProbeOfThreeStillCloses) {
    auto breaker = Make();
    OpenThenWait(breaker);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.TryAcquirePermission());
    breaker.OnError(kFast, Code::kUnavailable);
    breaker.OnSuccess(kFast);
    breaker.OnSuccess(kFast);  // 33% < 50%
    EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, SlowProbesReopen) {
    auto breaker = Make();
    OpenThenWait(breaker);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.TryAcquirePermission());
    for (int i = 0; i < 3; ++i) breaker.OnSuccess(kSlow);
    EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, IgnoredProbeFreesItsPermit) {
    auto breaker = Make();
    OpenThenWait(breaker);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.TryAcquirePermission());
    EXPECT_FALSE(breaker.TryAcquirePermission());
    breaker.OnIgnored();
    EXPECT_EQ(breaker.counters().ignored, 1u);
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_FALSE(breaker.TryAcquirePermission());
    for (int i = 0; i < 3; ++i) breaker.OnSuccess(kFast);
    EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, IgnoredCallsAreNotRecordedWhenClosed) {
    auto breaker = Make();
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(breaker.TryAcquirePermission());
        breaker.OnIgnored();
    }
    EXPECT_EQ(breaker.BufferedCalls(), 0);
    EXPECT_EQ(breaker.counters().ignored, 30u);
}

TEST_F(CircuitBreakerTest, LateOutcomesDoNotMoveAnOpenCircuit) {
    auto breaker = Make();
    ASSERT_TRUE(breaker.TryAcquirePermission());  // in flight while the circuit opens
    ASSERT_TRUE(breaker.TryAcquirePermission());
    Open(breaker);
    breaker.OnSuccess(kFast);
    breaker.OnSuccess(kFast);
    EXPECT_EQ(breaker.state(), State::kOpen);
    EXPECT_EQ(breaker.counters().successes, 2u);
}

TEST_F(CircuitBreakerTest, OutcomesWithoutAProbeInFlightDoNotDecideHalfOpen) {
    auto breaker = Make({.open_wait = Millis{100}});
    ASSERT_TRUE(breaker.TryAcquirePermission());  // permitted while CLOSED, reports after HALF_OPEN began
    OpenThenWait(breaker);
    ASSERT_TRUE(breaker.TryAcquirePermission());  // the one probe in flight
    breaker.OnSuccess(kFast);                     // this probe
    breaker.OnSuccess(kFast);                     // the straggler: no probe left in flight
    EXPECT_EQ(breaker.state(), State::kHalfOpen);
    EXPECT_EQ(breaker.BufferedCalls(), 1);
}

TEST_F(CircuitBreakerTest, CountsTransitionsAndTellsTheListener) {
    auto breaker = Make();
    std::vector<std::pair<State, State>> seen;
    std::vector<CircuitTransition> told;
    breaker.SetTransitionListener([&](const CircuitTransition& t) {
        seen.emplace_back(t.from, t.to);
        told.push_back(t);
    });
    OpenThenWait(breaker);
    Succeed(breaker, 3);
    EXPECT_EQ(breaker.state(), State::kClosed);
    const std::vector<std::pair<State, State>> expected = {
        {State::kClosed, State::kOpen}, {State::kOpen, State::kHalfOpen}, {State::kHalfOpen, State::kClosed}};
    EXPECT_EQ(seen, expected);
    // Why, with the rates that decided it (taken before the window is emptied).
    ASSERT_EQ(told.size(), 3u);
    EXPECT_EQ(told[0].failure_rate, 100);
    EXPECT_EQ(told[0].calls, 10);
    EXPECT_EQ(told[0].reason, "failure rate 100% reached the threshold 50% (10 of the 10 last calls failed)");
    EXPECT_EQ(told[1].failure_rate, -1);
    EXPECT_EQ(told[1].reason, "the open wait of 2000 ms is over");
    EXPECT_EQ(told[2].failure_rate, 0);
    EXPECT_EQ(told[2].calls, 3);
    EXPECT_EQ(told[2].reason,
              "the half-open trial calls passed: failure rate 0% below 50%, slow-call rate 0% below 80% (3 calls)");
    EXPECT_EQ(breaker.counters().transitions, 3u);
    EXPECT_EQ(breaker.counters().opened, 1u);
    EXPECT_EQ(breaker.counters().permitted, 13u);
    EXPECT_EQ(breaker.counters().failures, 10u);
    EXPECT_EQ(breaker.counters().successes, 3u);
}

TEST_F(CircuitBreakerTest, TellsWhySlowCallsOpenedItAndWhenFailedProbesOpenItAgain) {
    auto breaker = Make();
    std::vector<CircuitTransition> told;
    breaker.SetTransitionListener([&](const CircuitTransition& t) { told.push_back(t); });
    Succeed(breaker, 2);
    Succeed(breaker, 8, Millis{700});  // 8 of 10 slower than 500 ms: 80%
    ASSERT_EQ(breaker.state(), State::kOpen);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].slow_call_rate, 80);
    EXPECT_EQ(told[0].failure_rate, 0);
    EXPECT_EQ(told[0].reason, "slow-call rate 80% reached the threshold 80% (8 of the 10 last calls took over 500 ms)");
    clock_.Advance(breaker.policy().open_wait);
    FailCalls(breaker, 1);
    Succeed(breaker, 2);  // 1 of 3 probes failed: 33.3%, under 50%
    EXPECT_EQ(breaker.state(), State::kClosed);
    ASSERT_EQ(told.size(), 3u);
    EXPECT_NEAR(told[2].failure_rate, 33.33, 0.01);
    EXPECT_EQ(told[2].reason,
              "the half-open trial calls passed: failure rate 33.33% below 50%, slow-call rate 0% below 80% (3 calls)");
    Open(breaker);
    clock_.Advance(breaker.policy().open_wait);
    FailCalls(breaker, 2);
    Succeed(breaker, 1);
    EXPECT_EQ(breaker.state(), State::kOpen);
    ASSERT_EQ(told.size(), 6u);
    EXPECT_EQ(told[5].from, State::kHalfOpen);
    EXPECT_EQ(told[5].reason,
              "failure rate 66.67% reached the threshold 50% (2 of the 3 half-open trial calls failed)");
    breaker.Reset();
    ASSERT_EQ(told.size(), 7u);
    EXPECT_EQ(told[6].to, State::kClosed);
    EXPECT_EQ(told[6].reason, "reset");
    EXPECT_EQ(told[6].failure_rate, -1);
}

TEST_F(CircuitBreakerTest, ZeroOpenWaitProbesOnTheNextRequest) {
    auto breaker = Make({.open_wait = Millis{0}});
    Open(breaker);
    EXPECT_EQ(breaker.RetryAfter(), Millis{0});
    EXPECT_TRUE(breaker.TryAcquirePermission());
    EXPECT_EQ(breaker.state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, ResetClosesAndEmptiesTheWindow) {
    auto breaker = Make();
    Open(breaker);
    breaker.Reset();
    EXPECT_EQ(breaker.state(), State::kClosed);
    EXPECT_EQ(breaker.BufferedCalls(), 0);
    EXPECT_TRUE(breaker.TryAcquirePermission());
}

TEST_F(CircuitBreakerTest, ClampsSizesThatCannotWork) {
    auto breaker = Make({.window_size = 5, .minimum_calls = 50, .half_open_calls = 0});
    EXPECT_EQ(breaker.policy().minimum_calls, 5);
    EXPECT_EQ(breaker.policy().half_open_calls, 1);
    FailCalls(breaker, 5);  // a minimum above the window would never evaluate
    EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST(CircuitBreakerPolicyTest, ValidateNamesTheBadKey) {
    EXPECT_TRUE(CircuitBreakerPolicy{}.Validate().has_value());
    auto bad = [](CircuitBreakerPolicy p) { return p.Validate().error().message; };
    EXPECT_NE(bad({.window_size = 0}).find("window-size"), std::string::npos);
    EXPECT_NE(bad({.window_size = 5, .minimum_calls = 6}).find("minimum-calls"), std::string::npos);
    EXPECT_NE(bad({.failure_rate_threshold = 0}).find("failure-rate-threshold"), std::string::npos);
    EXPECT_NE(bad({.slow_call_duration = Millis{0}}).find("slow-call-duration-ms"), std::string::npos);
    EXPECT_NE(bad({.slow_call_rate_threshold = 101}).find("slow-call-rate-threshold"), std::string::npos);
    EXPECT_NE(bad({.open_wait = Millis{-1}}).find("open-wait-ms"), std::string::npos);
    EXPECT_NE(bad({.half_open_calls = 0}).find("half-open-calls"), std::string::npos);
    EXPECT_EQ(CircuitBreakerPolicy{.window_size = 0}.Validate().error().code, Code::kInvalidArgument);
}

TEST(CircuitStateNameTest, NamesEveryState) {
    EXPECT_EQ(CircuitStateName(CircuitState::kClosed), "CLOSED");
    EXPECT_EQ(CircuitStateName(CircuitState::kOpen), "OPEN");
    EXPECT_EQ(CircuitStateName(CircuitState::kHalfOpen), "HALF_OPEN");
}

}  // namespace
}  // namespace reservo
