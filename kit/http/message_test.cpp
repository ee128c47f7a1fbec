#include "kit/http/message.hpp"

#include <gtest/gtest.h>

namespace reservo::http {
namespace {

TEST(ParseTargetTest, OriginFormIsDecoded) {
    auto t = ParseTarget("/reservations/%EC%98%88%EC%95%BD?page=1&name=%EA%B9%80&flag");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->path, "/reservations/예약");
    EXPECT_EQ(t->origin_form, "/reservations/%EC%98%88%EC%95%BD?page=1&name=%EA%B9%80&flag");
    EXPECT_FALSE(t->authority);
    ASSERT_EQ(t->query.size(), 3u);
    EXPECT_EQ(t->query[1], std::make_pair(std::string("name"), std::string("김")));
    EXPECT_EQ(t->query[2], std::make_pair(std::string("flag"), std::string()));
}

TEST(ParseTargetTest, AbsoluteFormGivesOriginFormAndAuthority) {
    auto t = ParseTarget("http://localhost:8080/reservations?page=1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->path, "/reservations");
    EXPECT_EQ(t->origin_form, "/reservations?page=1");
    EXPECT_EQ(t->authority.value_or(""), "localhost:8080");
    ASSERT_EQ(t->query.size(), 1u);
    EXPECT_EQ(t->query[0].second, "1");

    auto bare = ParseTarget("HTTPS://example.com");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->path, "/");
    EXPECT_EQ(bare->origin_form, "/");
    EXPECT_EQ(bare->authority.value_or(""), "example.com");
}

TEST(ParseTargetTest, RefusesOtherFormsAndSchemes) {
    for (const char* bad : {"", "*", "localhost:8080", "reservations", "ftp://host/x", "mailto:a@b", "h4:#", "http:#",
                            "http:/x", "http:///x", "http://user@host/x", "http://localhost:ns?page=1"}) {
        EXPECT_FALSE(ParseTarget(bad)) << bad;
    }
}

TEST(ParseTargetTest, RefusesMalformedTargets) {
    for (const char* bad : {"/x#frag", "/x?%zz", "/%zz", "http:\xc7", "/\xea\xb9\x80", "/a b", "/a\tb"}) {
        EXPECT_FALSE(ParseTarget(bad)) << bad;
    }
}

TEST(ParseTargetTest, RefusesDotSegmentsEvenPercentEncoded) {
    for (const char* bad : {"/a/../actuator/faults", "/./x", "/..", "/.", "/x/.", "/x/..?y=1", "/a/%2e%2e/b",
                            "/a/%2E%2e/b", "/a/.%2E/b", "/%2e/b", "/a%2f..%2fb", "http://h/a/../b"}) {
        EXPECT_FALSE(ParseTarget(bad)) << bad;
        EXPECT_FALSE(SplitTarget(bad)) << bad;
    }
    for (const char* good : {"/a/.b", "/a/..b", "/...", "/a/b.", "/x?path=../y", "/a//b"}) {
        EXPECT_TRUE(ParseTarget(good)) << good;
    }
}

}  // namespace
}  // namespace reservo::http
