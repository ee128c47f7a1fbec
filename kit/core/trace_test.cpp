#include "kit/core/trace.hpp"

#include <gtest/gtest.h>

namespace reservo::trace {
namespace {

constexpr const char* kParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceTest, ValidatesW3cTraceparent) {
    EXPECT_TRUE(IsValid(kParent));
    EXPECT_FALSE(IsValid("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));  // all-zero trace id
    EXPECT_FALSE(IsValid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));  // upper case
    EXPECT_FALSE(IsValid("garbage"));
    EXPECT_TRUE(IsValid(NewTraceparent()));
}

TEST(TraceTest, ChildKeepsTheTraceIdWithANewSpan) {
    std::string child = ChildOf(kParent);
    EXPECT_TRUE(IsValid(child));
    EXPECT_EQ(child.substr(0, 36), std::string(kParent).substr(0, 36));
    EXPECT_NE(child, kParent);
}

TEST(TraceTest, ScopeSetsAndRestores) {
    SetCurrent("outer");
    {
        Scope s{std::string_view(kParent)};
        EXPECT_EQ(Current(), kParent);
        {
            Scope fresh(std::nullopt);  // no incoming trace: a new one
            EXPECT_TRUE(IsValid(Current()));
            EXPECT_NE(Current(), kParent);
        }
        EXPECT_EQ(Current(), kParent);
    }
    EXPECT_EQ(Current(), "outer");
    Scope invalid{std::string_view("not-a-trace")};
    EXPECT_TRUE(IsValid(Current()));
}

}  // namespace
}  // namespace reservo::trace
