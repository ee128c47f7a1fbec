#include "kit/service/dependency.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "kit/http/server.hpp"

namespace reservo::service {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// A real upstream on loopback whose latency and status the test controls.
class DependencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.AddAsync("GET", "/lot", [this](http::Request&) -> http::Awaitable<http::Response> {
            if (delay_.count() > 0) {
                asio::steady_timer t(io_, delay_);
                co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            co_return http::TextResponse(status_, "lot");
        });
        server_ = std::make_unique<http::Server>(io_, [this](http::Request& req) { return router_.Dispatch(req); });
        ASSERT_TRUE(server_->Listen(0, false));
        CallPolicy policy;
        policy.timeout = 100ms;
        policy.breaker.window_size = 4;
        policy.breaker.minimum_calls = 4;
        policy.breaker.failure_rate_threshold = 50;
        policy.breaker.open_wait = 300ms;
        policy.breaker.half_open_calls = 1;
        policy.bulkhead = 2;
        dep_ = std::make_unique<Dependency>(io_, "lots", "http://127.0.0.1:" + std::to_string(server_->port()), policy,
                                            metrics_);
    }

    Result<http::Response> Call() { return CallOn(*dep_); }

    Result<http::Response> CallOn(Dependency& dep) {
        std::optional<Result<http::Response>> out;
        asio::co_spawn(
            io_,
            [&]() -> http::Awaitable<void> {
                http::Request req;
                req.method = "GET";
                req.target = "/lot";
                out = co_await dep.Call(std::move(req));
            },
            asio::detached);
        while (!out) io_.run_one_for(1s);
        return *out;
    }

    asio::io_context io_;
    http::Router router_;
    Metrics metrics_;
    std::unique_ptr<http::Server> server_;
    std::unique_ptr<Dependency> dep_;
    std::chrono::milliseconds delay_{0};
    int status_ = 200;
};

TEST_F(DependencyTest, BusinessRefusalsDoNotOpenTheCircuit) {
    status_ = 409;
    for (int i = 0; i < 6; ++i) {
        auto r = Call();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 409);
    }
    EXPECT_EQ(dep_->breaker().state(), CircuitState::kClosed);
}

TEST_F(DependencyTest, TimeoutsOpenTheCircuitThenItFailsFastAndRecovers) {
    delay_ = 300ms;
    for (int i = 0; i < 4; ++i) {
        auto r = Call();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Code::kDeadlineExceeded);
    }
    EXPECT_EQ(dep_->breaker().state(), CircuitState::kOpen);
    EXPECT_FALSE(dep_->TryAdmit());
    std::string text = metrics_.Render();
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="lots"} 1)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_calls_seconds_count{kind="failed",name="lots"} 4)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_calls_seconds_count{kind="successful",name="lots"} 0)"),
              std::string::npos)
        << text;
    // Timed out: no answer, so Micrometer's CLIENT_ERROR status and UNKNOWN outcome.
    EXPECT_NE(text.find(R"(http_client_requests_seconds_count{client_name="lots",method="GET",outcome="UNKNOWN",)"
                        R"(status="CLIENT_ERROR",uri="/lot"} 4)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_failure_rate{name="lots"} 100)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(resilience4j_bulkhead_available_concurrent_calls{name="lots"} 2)"), std::string::npos)
        << text;
    auto start = SteadyClock::now();
    auto fast = Call();
    ASSERT_FALSE(fast);
    EXPECT_EQ(fast.error().code, Code::kUnavailable);
    EXPECT_LT(SteadyClock::now() - start, 20ms);
    EXPECT_GT(dep_->RetryAfterMs(), 0);
    text = metrics_.Render();
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_state{name="lots",state="open"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_state{name="lots",state="closed"} 0)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_state{name="lots",state="half_open"} 0)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="lots"} 2)"),
              std::string::npos)
        << text;

    delay_ = 0ms;
    auto wait_until = SteadyClock::now() + 400ms;
    while (SteadyClock::now() < wait_until) io_.run_one_for(10ms);
    EXPECT_TRUE(dep_->TryAdmit());  // the open wait is over: the next call is a probe
    auto probe = Call();            // half-open probe succeeds and closes the circuit
    ASSERT_TRUE(probe) << probe.error().message;
    EXPECT_EQ(dep_->breaker().state(), CircuitState::kClosed);
    text = metrics_.Render();
    EXPECT_NE(text.find(R"(resilience4j_circuitbreaker_state{name="lots",state="closed"} 1)"), std::string::npos)
        << text;
    EXPECT_NE(text.find(R"(http_client_requests_seconds_count{client_name="lots",method="GET",outcome="SUCCESS",)"
                        R"(status="200",uri="/lot"} 1)"),
              std::string::npos)
        << text;
}

TEST_F(DependencyTest, ServerErrorsCountAsFailures) {
    status_ = 503;
    for (int i = 0; i < 4; ++i) {
        auto r = Call();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Code::kUnavailable);
    }
    EXPECT_EQ(dep_->breaker().state(), CircuitState::kOpen);
}

TEST(DependencyUriTest, IdsInThePathShareOneSeries) {
    EXPECT_EQ(Dependency::UriTemplate("/payments/17?x=1"), "/payments/{id}");
    EXPECT_EQ(Dependency::UriTemplate("/vaccineMgmts/updateVaccine?vaccineId=3"), "/vaccineMgmts/updateVaccine");
    EXPECT_EQ(Dependency::UriTemplate("/things/0f8e2a6c-1b7d-4c3e-9a5f-2d4b6c8e0a1f/parts"), "/things/{id}/parts");
    EXPECT_EQ(Dependency::UriTemplate(""), "/");
    EXPECT_EQ(Dependency::UriTemplate("/"), "/");
}

TEST_F(DependencyTest, RefusedConnectionIsUnavailable) {
    CallPolicy policy;
    policy.timeout = 200ms;
    Dependency nowhere(io_, "nowhere", "http://127.0.0.1:1", policy, metrics_);
    auto out = CallOn(nowhere);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace reservo::service
