#include "edge/gateway/address_list.hpp"

#include <gtest/gtest.h>

namespace reservo::edge {
namespace {

http::Request From(std::string peer, std::string forwarded_for = {}) {
    http::Request req;
    req.remote_address = std::move(peer);
    if (!forwarded_for.empty()) req.headers.Set("X-Forwarded-For", std::move(forwarded_for));
    return req;
}

TEST(AddressListTest, HoldsAddressesAndRangesOfBothFamilies) {
    AddressList list({"127.0.0.0/8", "::1", "10.1.2.3", "fd00::/8", "not-an-address"}, "test");
    EXPECT_TRUE(list.Contains("127.0.0.1"));
    EXPECT_TRUE(list.Contains("127.255.0.9"));
    EXPECT_TRUE(list.Contains("::1"));
    EXPECT_TRUE(list.Contains("10.1.2.3"));
    EXPECT_TRUE(list.Contains("fd12::5"));
    EXPECT_TRUE(list.Contains("::ffff:127.0.0.1"));  // IPv4 mapped into IPv6
    EXPECT_FALSE(list.Contains("10.1.2.4"));
    EXPECT_FALSE(list.Contains("128.0.0.1"));
    EXPECT_FALSE(list.Contains("::2"));
    EXPECT_FALSE(list.Contains(""));
    EXPECT_FALSE(list.Contains("nowhere"));
}

TEST(AddressListTest, TheClientIsThePeerUnlessATrustedProxyNamesIt) {
    AddressList none({}, "test");
    AddressList proxies({"10.0.0.0/8"}, "test");
    // Straight from a client: what it claims counts for nothing.
    EXPECT_EQ(ClientAddress(From("203.0.113.7", "127.0.0.1"), none), "203.0.113.7");
    EXPECT_EQ(ClientAddress(From("203.0.113.7", "127.0.0.1"), proxies), "203.0.113.7");
    // Through a trusted proxy: the last hop that is not one of them.
    EXPECT_EQ(ClientAddress(From("10.0.0.2", "203.0.113.7"), proxies), "203.0.113.7");
    EXPECT_EQ(ClientAddress(From("10.0.0.2", "127.0.0.1, 203.0.113.7, 10.0.0.9"), proxies), "203.0.113.7");
    EXPECT_EQ(ClientAddress(From("10.0.0.2", " 10.0.0.5 ,10.0.0.9"), proxies), "10.0.0.5");
    EXPECT_EQ(ClientAddress(From("10.0.0.2"), proxies), "10.0.0.2");
    EXPECT_EQ(ClientAddress(From("10.0.0.2", "garbage"), proxies), "garbage");
}

}  // namespace
}  // namespace reservo::edge
