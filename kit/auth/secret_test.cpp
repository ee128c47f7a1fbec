#include "kit/auth/secret.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reservo::auth {
namespace {

TEST(Secret, HashVerifiesOnlyItsSecret) {
    auto stored = HashSecret("owner-pass");
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_TRUE(stored->starts_with("scrypt$16384$8$1$"));
    EXPECT_EQ(stored->find("owner-pass"), std::string::npos);
    EXPECT_TRUE(VerifySecret("owner-pass", *stored));
    EXPECT_FALSE(VerifySecret("owner-pas", *stored));
    EXPECT_FALSE(VerifySecret("", *stored));
}

TEST(Secret, EachHashHasItsOwnSalt) {
    auto a = HashSecret("same"), b = HashSecret("same");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_TRUE(VerifySecret("same", *a) && VerifySecret("same", *b));
}

TEST(Secret, MalformedOrCostlyStoredTextNeverMatches) {
    auto good = HashSecret("x");
    ASSERT_TRUE(good);
    for (std::string bad : {std::string(), std::string("x"), std::string("plain$x"), std::string("scrypt$$$$$"),
                            std::string("scrypt$16384$8$1$AAAA"), std::string("bcrypt") + good->substr(6),
                            // work beyond what HashSecret ever writes is refused unread
                            std::string("scrypt$1073741824$8$1") + good->substr(good->find("$", 17)), *good + "A"}) {
        EXPECT_FALSE(VerifySecret("x", bad)) << bad;
    }
}

TEST(Secret, BasicCredentialsAreDecodedAsRfc6749Asks) {
    auto c = ParseBasic("Basic " + Base64Encode("reservo-web:reservo-web-secret"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, "reservo-web");
    EXPECT_EQ(c->secret, "reservo-web-secret");
    // Scheme case-insensitive; a colon in the secret stays; parts are form-urlencoded.
    auto d = ParseBasic("basic " + Base64Encode("my%20app:a:b+c"));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->id, "my app");
    EXPECT_EQ(d->secret, "a:b c");
    EXPECT_FALSE(ParseBasic("Bearer abc"));
    EXPECT_FALSE(ParseBasic("Basic "));
    EXPECT_FALSE(ParseBasic("Basic !!!!"));
    EXPECT_FALSE(ParseBasic("Basic " + Base64Encode("no-colon")));
    EXPECT_FALSE(ParseBasic("Basic " + Base64Encode(":secret")));
    EXPECT_FALSE(ParseBasic("Basic " + Base64Encode("bad%zz:x")));
}

TEST(Secret, Base64IsStrict) {
    EXPECT_EQ(Base64Encode("ab?"), "YWI/");
    EXPECT_EQ(Base64Decode("YWI/"), "ab?");
    EXPECT_EQ(Base64Decode("YQ=="), "a");
    EXPECT_FALSE(Base64Decode("YR=="));  // unused bits set: a second spelling of "a"
    EXPECT_FALSE(Base64Decode("YQ"));    // padding required
    EXPECT_FALSE(Base64Decode("Y Q=="));
}

}  // namespace
}  // namespace reservo::auth
