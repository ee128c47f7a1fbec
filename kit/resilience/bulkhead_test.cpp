#include "kit/resilience/bulkhead.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

namespace reservo {
namespace {

TEST(BulkheadTest, LimitsConcurrentCallsAndCountsRejections) {
    Bulkhead bulkhead(2);
    EXPECT_TRUE(bulkhead.TryEnter());
    EXPECT_TRUE(bulkhead.TryEnter());
    EXPECT_FALSE(bulkhead.TryEnter());
    EXPECT_FALSE(bulkhead.TryEnter());
    EXPECT_EQ(bulkhead.in_flight(), 2);
    EXPECT_EQ(bulkhead.entered(), 2u);
    EXPECT_EQ(bulkhead.rejected(), 2u);
    bulkhead.Leave();
    EXPECT_TRUE(bulkhead.TryEnter());
    EXPECT_EQ(bulkhead.in_flight(), 2);
}

TEST(BulkheadTest, PermitLeavesWhenDestroyed) {
    Bulkhead bulkhead(1);
    {
        auto permit = bulkhead.TryAcquire();
        ASSERT_TRUE(permit.has_value());
        EXPECT_EQ(bulkhead.in_flight(), 1);
        EXPECT_FALSE(bulkhead.TryAcquire().has_value());
    }
    EXPECT_EQ(bulkhead.in_flight(), 0);
    EXPECT_TRUE(bulkhead.TryAcquire().has_value());
    EXPECT_EQ(bulkhead.rejected(), 1u);
}

TEST(BulkheadTest, MovedPermitLeavesOnce) {
    Bulkhead bulkhead(2);
    std::optional<Bulkhead::Permit> first = bulkhead.TryAcquire();
    std::optional<Bulkhead::Permit> second = bulkhead.TryAcquire();
    ASSERT_TRUE(first && second);
    {
        Bulkhead::Permit moved = std::move(*first);
        first.reset();  // the moved-from permit must not leave
        EXPECT_EQ(bulkhead.in_flight(), 2);
    }
    EXPECT_EQ(bulkhead.in_flight(), 1);
    Bulkhead::Permit& same = *second;
    *second = std::move(same);  // self-move keeps the slot
    EXPECT_EQ(bulkhead.in_flight(), 1);
    second.reset();
    EXPECT_EQ(bulkhead.in_flight(), 0);
}

TEST(BulkheadTest, MoveAssignmentReleasesTheOverwrittenPermit) {
    Bulkhead bulkhead(2);
    auto a = bulkhead.TryAcquire();
    auto b = bulkhead.TryAcquire();
    ASSERT_TRUE(a && b);
    *a = std::move(*b);
    EXPECT_EQ(bulkhead.in_flight(), 1);
    b.reset();
    EXPECT_EQ(bulkhead.in_flight(), 1);
    a.reset();
    EXPECT_EQ(bulkhead.in_flight(), 0);
}

TEST(BulkheadTest, ReleaseLeavesEarlyAndOnlyOnce) {
    Bulkhead bulkhead(1);
    auto permit = bulkhead.TryAcquire();
    ASSERT_TRUE(permit);
    permit->Release();
    EXPECT_EQ(bulkhead.in_flight(), 0);
    auto other = bulkhead.TryAcquire();
    ASSERT_TRUE(other);
    permit.reset();  // already released: must not free the other permit's slot
    EXPECT_EQ(bulkhead.in_flight(), 1);
}

TEST(BulkheadTest, ExtraLeaveDoesNotUnderflow) {
    Bulkhead bulkhead(1);
    bulkhead.Leave();
    EXPECT_EQ(bulkhead.in_flight(), 0);
    EXPECT_TRUE(bulkhead.TryEnter());
    EXPECT_FALSE(bulkhead.TryEnter());
}

TEST(BulkheadTest, LimitBelowOneBecomesOne) {
    Bulkhead bulkhead(0);
    EXPECT_EQ(bulkhead.max_concurrent(), 1);
    EXPECT_TRUE(bulkhead.TryEnter());
    EXPECT_FALSE(bulkhead.TryEnter());
}

TEST(BulkheadTest, ManyPermitsFillAndDrain) {
    Bulkhead bulkhead(256);
    std::vector<Bulkhead::Permit> permits;
    while (auto permit = bulkhead.TryAcquire()) permits.push_back(std::move(*permit));
    EXPECT_EQ(permits.size(), 256u);
    EXPECT_EQ(bulkhead.in_flight(), 256);
    permits.clear();
    EXPECT_EQ(bulkhead.in_flight(), 0);
}

}  // namespace
}  // namespace reservo
