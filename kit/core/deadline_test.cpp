#include "kit/core/deadline.hpp"

#include <gtest/gtest.h>

namespace reservo::deadline {
namespace {

using namespace std::chrono_literals;

TEST(Deadline, HeaderRoundTripsWithinAMillisecond) {
    Time at = SteadyClock::now() + 1500ms;
    auto back = FromHeader(ToHeader(at));
    ASSERT_TRUE(back);
    EXPECT_LE(std::chrono::abs(*back - at), 2ms);
}

TEST(Deadline, MalformedHeadersAreIgnored) {
    EXPECT_FALSE(FromHeader(std::nullopt));
    EXPECT_FALSE(FromHeader(""));
    EXPECT_FALSE(FromHeader("soon"));
    EXPECT_FALSE(FromHeader("12x"));
    EXPECT_FALSE(FromHeader("-5"));
    EXPECT_FALSE(FromHeader("99999999999999999999999"));
}

TEST(Deadline, APastDeadlineIsExpiredAndLeavesNoTime) {
    Scope scope(FromHeader(std::to_string(NowUnixMillis() - 10)));
    EXPECT_TRUE(Expired());
    EXPECT_EQ(Remaining(600ms), 0ms);
}

TEST(Deadline, RemainingIsCappedAndScopesRestore) {
    EXPECT_FALSE(Current());
    EXPECT_EQ(Remaining(600ms), 600ms);
    {
        Scope outer(SteadyClock::now() + 10s);
        EXPECT_FALSE(Expired());
        EXPECT_EQ(Remaining(600ms), 600ms);
        {
            Scope inner(SteadyClock::now() + 200ms);
            EXPECT_LE(Remaining(600ms), 200ms);
            EXPECT_GT(Remaining(600ms), 100ms);
        }
        EXPECT_EQ(Remaining(600ms), 600ms);
    }
    EXPECT_FALSE(Current());
}

}  // namespace
}  // namespace reservo::deadline
