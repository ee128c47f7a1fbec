#include "kit/http/hal.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace reservo::http {
namespace {

Request WithHeaders(std::initializer_list<std::pair<const char*, const char*>> headers) {
    Request r;
    r.method = "GET";
    r.target = r.path = "/vaccineMgmts";
    for (auto [name, value] : headers) r.headers.Set(name, value);
    return r;
}

TEST(HalTest, BaseUrlTakesWhatTheGatewayForwards) {
    EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "svc:8081"}})), "http://svc:8081");
    EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "svc:8081"}, {"X-Forwarded-Host", "gw.example:8080"}})),
              "http://gw.example:8080");
    EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "svc"}, {"X-Forwarded-Proto", "https"}})), "https://svc");
    EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "127.0.0.1:8080"}})), "http://127.0.0.1:8080");
    EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "[::1]:8080"}})), "http://[::1]:8080");
    EXPECT_EQ(BaseUrl(WithHeaders({})), "http://localhost");
}

TEST(HalTest, BaseUrlTakesTheForwardedPortAndLeavesOutTheSchemesDefault) {
    auto with_port = [](const char* host, const char* proto, const char* port) {
        return BaseUrl(
            WithHeaders({{"X-Forwarded-Host", host}, {"X-Forwarded-Proto", proto}, {"X-Forwarded-Port", port}}));
    };
    EXPECT_EQ(with_port("gw.example:8080", "https", "8443"), "https://gw.example:8443");
    EXPECT_EQ(with_port("gw.example:8080", "https", "443"), "https://gw.example");
    EXPECT_EQ(with_port("gw.example", "http", "80"), "http://gw.example");
    EXPECT_EQ(with_port("[::1]:8080", "http", "9000"), "http://[::1]:9000");
    for (const char* bad : {"", "0", "65536", "80a", " 80", "123456", "-1"}) {
        EXPECT_EQ(with_port("gw.example:8080", "http", bad), "http://gw.example:8080") << bad;
    }
    EXPECT_EQ(WithPort("gw:1", "2", "http"), "gw:2");
}

TEST(HalTest, BaseUrlRefusesSchemesAndAuthoritiesThatAreNotPlain) {
    for (const char* proto : {"javascript:alert(1)//", "ftp", "HTTPS", "https://x", "", "http "}) {
        EXPECT_EQ(BaseUrl(WithHeaders({{"Host", "svc"}, {"X-Forwarded-Proto", proto}})), "http://svc") << proto;
    }
    for (const char* host :
         {"evil.example/path", "user:pw@svc", "@svc", "svc:port", "svc:99999", "svc:", "svc:0", "a b", "svc\"><script>",
          "svc%2F", "svc,other", "", "[v1.x]", "javascript:alert(1)//", "svc#frag", "svc?q", "x(y)"}) {
        EXPECT_EQ(BaseUrl(WithHeaders({{"X-Forwarded-Host", host}})), "http://localhost") << host;
        EXPECT_EQ(BaseUrl(WithHeaders({{"Host", host}})), "http://localhost") << host;
    }
    auto links = WithLinks(WithHeaders({{"Host", "evil.example/x?"}, {"X-Forwarded-Proto", "javascript:"}}),
                           "vaccineMgmts", 3, {});
    EXPECT_EQ(links.at("_links").at("self").at("href").as_string(), "http://localhost/vaccineMgmts/3");
}

}  // namespace
}  // namespace reservo::http
