// The gateway's own policies, on a system started with a rate limit and a trusted proxy set through
// the environment (as a Kubernetes ConfigMap would set them), and with the access log switched off
// the same way.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

class GatewayE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() {
        SystemOptions options = VaccineSystem();
        options.env = {{"RESERVO_GATEWAY_RATE_LIMIT_REQUESTS_PER_SECOND", "20"},
                       {"RESERVO_GATEWAY_RATE_LIMIT_BURST", "20"},
                       {"RESERVO_GATEWAY_TRUSTED_PROXIES", "127.0.0.0/8"},
                       {"RESERVO_LOGGING_ACCESS", "false"}};
        StartSystem(options);
    }
};

TEST_F(GatewayE2E, OverTheRateLimitIs429WithRetryAfterThenServesAgain) {
    int ok = 0, limited = 0;
    for (int i = 0; i < 60; ++i) {
        Reply r = Call("GET", "/vaccineMgmts?size=1");
        if (r.status == 200) ++ok;
        if (r.status == 429) {
            ++limited;
            EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
            EXPECT_FALSE(r.Header("Retry-After").empty());
            EXPECT_EQ(r.Json().at("status").as_int64(), 429);
        }
    }
    EXPECT_EQ(ok + limited, 60);
    EXPECT_GE(ok, 20);      // the burst
    EXPECT_GE(limited, 1);  // 60 requests in far less than two seconds
    // The gateway's own endpoints are not limited, and the limit refills.
    EXPECT_EQ(Call("GET", "/actuator/health/readiness").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(Call("GET", "/vaccineMgmts?size=1").status, 200);
}

// Behind a trusted proxy (a TLS-terminating ingress on 8443, say), links point where the client went.
TEST_F(GatewayE2E, LinksFollowTheTrustedProxysForwardedHostProtoAndPort) {
    auto through_proxy = [&](std::string target, std::string port) {
        http::Request req;
        req.method = "GET";
        req.target = std::move(target);
        req.headers.Set("X-Forwarded-Host", "shop.example:80");
        req.headers.Set("X-Forwarded-Proto", "https");
        req.headers.Set("X-Forwarded-Port", std::move(port));
        return http_.Call(gateway(), std::move(req));
    };
    Reply index = through_proxy("/", "8443");
    ASSERT_EQ(index.status, 200) << index.Describe();
    EXPECT_EQ(index.Json().at("_links").at("reservations").at("href").as_string(),
              "https://shop.example:8443/reservations{?page,size,sort}");
    // The service's own links, through X-Forwarded-* the gateway sets; the scheme's default port is left out.
    ASSERT_GT(CreateLot("Proxy", 1), 0);
    Reply page = through_proxy("/vaccineMgmts?size=1", "443");
    ASSERT_EQ(page.status, 200) << page.Describe();
    EXPECT_NE(page.body.find("\"https://shop.example/vaccineMgmts/"), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("shop.example:"), std::string::npos) << page.body;
    // A port that is not a port changes nothing.
    Reply odd = through_proxy("/", "80; evil");
    EXPECT_EQ(odd.Json().at("_links").at("reservations").at("href").as_string(),
              "https://shop.example:80/reservations{?page,size,sort}");
}

// logging.access off: neither the gateway nor a service writes a line per request; the rest of
// their log goes on.
TEST_F(GatewayE2E, AccessLogSwitchedOffWritesNoAccessLines) {
    EXPECT_TRUE(Eventually([&] { return Call("GET", "/vaccineMgmts?size=1").status == 200; }));  // past the limit
    EXPECT_EQ(CallService("vaccine-mgmt", "GET", "/vaccineMgmts?size=1").status, 200);
    for (std::string_view process : {"gateway", "vaccine-mgmt", "reservation"}) {
        auto records = system().LogRecords(process);
        EXPECT_TRUE(std::any_of(records.begin(), records.end(), [](const bj::object& r) {
            return r.at("msg") == "ready";
        })) << process;
        for (const auto& record : records)
            EXPECT_NE(record.at("msg"), "access") << process << ": " << bj::serialize(record);
    }
}

}  // namespace
}  // namespace reservo::e2e
