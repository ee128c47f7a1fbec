#include "kit/resilience/retry.hpp"

#include <gtest/gtest.h>

namespace reservo {
namespace {

TEST(RetryPolicyTest, BackoffGrowsByTheMultiplierUpToTheCap) {
    const RetryPolicy policy{.max_attempts = 10, .backoff = Millis{50}, .multiplier = 2, .max_backoff = Millis{1000}};
    EXPECT_EQ(policy.Backoff(1), Millis{50});
    EXPECT_EQ(policy.Backoff(2), Millis{100});
    EXPECT_EQ(policy.Backoff(3), Millis{200});
    EXPECT_EQ(policy.Backoff(4), Millis{400});
    EXPECT_EQ(policy.Backoff(5), Millis{800});
    EXPECT_EQ(policy.Backoff(6), Millis{1000});
    EXPECT_EQ(policy.Backoff(7), Millis{1000});
    EXPECT_EQ(policy.Backoff(5000), Millis{1000});  // no overflow however far it goes
}

TEST(RetryPolicyTest, BackoffHonoursOtherMultipliers) {
    const RetryPolicy policy{.backoff = Millis{100}, .multiplier = 1.5, .max_backoff = Millis{10'000}};
    EXPECT_EQ(policy.Backoff(2), Millis{150});
    EXPECT_EQ(policy.Backoff(3), Millis{225});
    const RetryPolicy constant{.backoff = Millis{100}, .multiplier = 1, .max_backoff = Millis{10'000}};
    EXPECT_EQ(constant.Backoff(9), Millis{100});
}

TEST(RetryPolicyTest, NoBackoffBeforeTheFirstRetry) {
    const RetryPolicy policy;
    EXPECT_EQ(policy.Backoff(0), Millis{0});
    EXPECT_EQ(policy.Backoff(-3), Millis{0});
}

TEST(RetryPolicyTest, JitterShortensTheDelayWithinItsFraction) {
    const RetryPolicy policy{.backoff = Millis{200}, .max_backoff = Millis{1000}, .jitter = 0.5};
    EXPECT_EQ(policy.Backoff(1, 0.0), Millis{200});
    EXPECT_EQ(policy.Backoff(1, 0.5), Millis{150});
    EXPECT_EQ(policy.Backoff(1, 0.999999), Millis{100});
    EXPECT_EQ(policy.Backoff(2, 0.5), Millis{300});
    EXPECT_EQ(policy.Backoff(5, 0.0), Millis{1000});  // the cap holds with jitter too
    EXPECT_EQ(policy.Backoff(1, 7.0), Millis{100});   // out-of-range randoms are clamped

    const RetryPolicy none{.backoff = Millis{200}, .jitter = 0};
    EXPECT_EQ(none.Backoff(1, 0.9), Millis{200});
    const RetryPolicy full{.backoff = Millis{200}, .jitter = 1};
    EXPECT_EQ(full.Backoff(1, 0.75), Millis{50});
}

TEST(RetryPolicyTest, RetriesOnlyTransientCodesWithinMaxAttempts) {
    const RetryPolicy once;  // default: one attempt, no retry
    EXPECT_FALSE(once.MayRetry(1, Code::kUnavailable));

    const RetryPolicy thrice{.max_attempts = 3};
    EXPECT_TRUE(thrice.MayRetry(1, Code::kUnavailable));
    EXPECT_TRUE(thrice.MayRetry(2, Code::kDeadlineExceeded));
    EXPECT_FALSE(thrice.MayRetry(3, Code::kUnavailable));
    EXPECT_FALSE(thrice.MayRetry(1, Code::kFailedPrecondition));
    EXPECT_FALSE(thrice.MayRetry(1, Code::kNotFound));
    EXPECT_FALSE(thrice.MayRetry(1, Code::kInternal));
}

TEST(RetryPolicyTest, ValidateNamesTheBadKey) {
    EXPECT_TRUE(RetryPolicy{}.Validate().has_value());
    auto bad = [](RetryPolicy p) { return p.Validate().error().message; };
    EXPECT_NE(bad({.max_attempts = 0}).find("retry.max-attempts"), std::string::npos);
    EXPECT_NE(bad({.backoff = Millis{-1}}).find("retry.backoff-ms"), std::string::npos);
    EXPECT_NE(bad({.multiplier = 0.5}).find("retry.multiplier"), std::string::npos);
    EXPECT_NE(bad({.backoff = Millis{100}, .max_backoff = Millis{50}}).find("retry.max-backoff-ms"), std::string::npos);
    EXPECT_NE(bad({.jitter = 1.5}).find("retry.jitter"), std::string::npos);
    EXPECT_NE(bad({.budget_percent = 101}).find("retry.budget-percent"), std::string::npos);
}

class RetryBudgetTest : public ::testing::Test {
  protected:
    RetryBudget Make(double percent, int min_retries, Millis window = Millis{10'000}) {
        return RetryBudget({.percent = percent, .min_retries = min_retries, .window = window}, clock_.Source());
    }
    ManualClock clock_;
};

TEST_F(RetryBudgetTest, RetriesArePaidForByRequests) {
    auto budget = Make(20, 0);
    EXPECT_FALSE(budget.CanRetry());  // nothing earned yet
    for (int i = 0; i < 4; ++i) budget.OnRequest();
    EXPECT_FALSE(budget.CanRetry());  // 0.8 of a retry
    budget.OnRequest();
    EXPECT_TRUE(budget.TryRetry());  // 5 requests buy one retry at 20%
    EXPECT_FALSE(budget.TryRetry());
    EXPECT_EQ(budget.exhausted(), 3u);
    for (int i = 0; i < 5; ++i) budget.OnRequest();
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_FALSE(budget.CanRetry());
}

TEST_F(RetryBudgetTest, ReserveAllowsRetriesOnAQuietService) {
    auto budget = Make(20, 2);
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_FALSE(budget.TryRetry());
    EXPECT_DOUBLE_EQ(budget.Balance(), 0.0);
}

TEST_F(RetryBudgetTest, BlocksARetryStorm) {
    auto budget = Make(20, 3);
    const RetryPolicy policy{.max_attempts = 4};
    int retries = 0;
    // 1000 requests against a dependency that fails every attempt.
    for (int request = 0; request < 1000; ++request) {
        budget.OnRequest();
        for (int attempt = 1; policy.MayRetry(attempt, Code::kUnavailable) && budget.TryRetry(); ++attempt) {
            ++retries;
        }
    }
    EXPECT_EQ(retries, 3 + 200);  // the reserve plus 20% of the requests, not 3000
    EXPECT_GT(budget.exhausted(), 700u);
}

TEST_F(RetryBudgetTest, RequestsAndRetriesExpireWithTheWindow) {
    auto budget = Make(50, 0, Millis{10'000});
    for (int i = 0; i < 4; ++i) budget.OnRequest();
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_FALSE(budget.CanRetry());

    clock_.Advance(Millis{5'000});
    EXPECT_FALSE(budget.CanRetry());  // still within the window
    budget.OnRequest();
    budget.OnRequest();
    EXPECT_TRUE(budget.TryRetry());

    clock_.Advance(Millis{5'000});            // the first 4 requests and 2 retries have left the window
    EXPECT_DOUBLE_EQ(budget.Balance(), 0.0);  // 2 requests · 50% - 1 retry
    clock_.Advance(Millis{5'000});            // everything has left
    EXPECT_DOUBLE_EQ(budget.Balance(), 0.0);
    budget.OnRequest();
    budget.OnRequest();
    EXPECT_TRUE(budget.TryRetry());
}

TEST_F(RetryBudgetTest, RetriesExpireSoTheBudgetRecovers) {
    auto budget = Make(0, 1, Millis{1'000});
    EXPECT_TRUE(budget.TryRetry());
    EXPECT_FALSE(budget.CanRetry());
    clock_.Advance(Millis{900});
    EXPECT_FALSE(budget.CanRetry());
    clock_.Advance(Millis{100});
    EXPECT_TRUE(budget.CanRetry());
}

}  // namespace
}  // namespace reservo
