#include "kit/service/dependency.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <sstream>

#include "kit/core/log.hpp"
#include "kit/http/server.hpp"

namespace reservo::service {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bj = boost::json;

// The kit's log lines for one test, parsed; stderr again afterwards.
class CapturedLines final {
  public:
    CapturedLines() { log::Init("test/dependency", "debug", &out_); }
    ~CapturedLines() { log::Init("test/dependency"); }
    // The lines whose message is `msg`.
    std::vector<bj::object> With(std::string_view msg) const {
        std::vector<bj::object> found;
        std::istringstream in(out_.str());
        for (std::string line; std::getline(in, line);) {
            bj::object o = bj::parse(line).as_object();
            if (o.at("msg").as_string() == msg) found.push_back(std::move(o));
        }
        return found;
    }
    std::string text() const { return out_.str(); }

  private:
    std::ostringstream out_;
};

// A real upstream on loopback whose latency and status the test controls.
class DependencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.AddAsync("GET", "/lot", [this](http::Request&) -> http::Awaitable<http::Response> {
            ++served_;
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

    Result<http::Response> CallOn(Dependency& dep, bool idempotent = false) {
        std::optional<Result<http::Response>> out;
        asio::co_spawn(
            io_,
            [&]() -> http::Awaitable<void> {
                http::Request req;
                req.method = "GET";
                req.target = "/lot";
                out = co_await dep.Call(std::move(req), idempotent);
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
    int served_ = 0;  // requests the upstream got, retries included
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

TEST_F(DependencyTest, EachCircuitStateChangeIsOneLineSayingWhy) {
    CapturedLines log;
    status_ = 503;
    for (int i = 0; i < 4; ++i) ASSERT_FALSE(Call());
    ASSERT_EQ(dep_->breaker().state(), CircuitState::kOpen);
    ASSERT_FALSE(Call());  // refused while open: no change, no line
    status_ = 200;
    auto wait_until = SteadyClock::now() + 400ms;
    while (SteadyClock::now() < wait_until) io_.run_one_for(10ms);
    ASSERT_TRUE(Call());  // the probe: half-open, then closed
    ASSERT_EQ(dep_->breaker().state(), CircuitState::kClosed);

    auto open = log.With("circuit open");
    ASSERT_EQ(open.size(), 1u) << log.text();
    EXPECT_EQ(open[0].at("level"), "warning");
    EXPECT_EQ(open[0].at("circuit"), "lots");
    EXPECT_EQ(open[0].at("from"), "CLOSED");
    EXPECT_EQ(open[0].at("to"), "OPEN");
    EXPECT_EQ(open[0].at("failureRate"), 100);
    EXPECT_EQ(open[0].at("bufferedCalls"), 4);
    EXPECT_EQ(open[0].at("openWaitMs"), 300);
    EXPECT_EQ(open[0].at("reason"), "failure rate 100% reached the threshold 50% (4 of the 4 last calls failed)");
    auto half_open = log.With("circuit half-open");
    ASSERT_EQ(half_open.size(), 1u) << log.text();
    EXPECT_EQ(half_open[0].at("level"), "info");
    EXPECT_EQ(half_open[0].at("from"), "OPEN");
    EXPECT_EQ(half_open[0].at("reason"), "the open wait of 300 ms is over");
    EXPECT_FALSE(half_open[0].contains("failureRate"));
    auto closed = log.With("circuit closed");
    ASSERT_EQ(closed.size(), 1u) << log.text();
    EXPECT_EQ(closed[0].at("from"), "HALF_OPEN");
    EXPECT_EQ(closed[0].at("to"), "CLOSED");
    EXPECT_EQ(closed[0].at("failureRate"), 0);
}

TEST_F(DependencyTest, RetriesThatRunOutAreOneLine) {
    CapturedLines log;
    CallPolicy policy;
    policy.timeout = 100ms;
    policy.retry.max_attempts = 3;
    policy.retry.backoff = 1ms;
    policy.retry.max_backoff = 2ms;
    Dependency flaky(io_, "flaky", "http://127.0.0.1:" + std::to_string(server_->port()), policy, metrics_);
    status_ = 503;
    ASSERT_FALSE(CallOn(flaky, /*idempotent=*/true));
    auto gave_up = log.With("retries exhausted");
    ASSERT_EQ(gave_up.size(), 1u) << log.text();
    EXPECT_EQ(gave_up[0].at("level"), "warning");
    EXPECT_EQ(gave_up[0].at("dependency"), "flaky");
    EXPECT_EQ(gave_up[0].at("method"), "GET");
    EXPECT_EQ(gave_up[0].at("uri"), "/lot");
    EXPECT_EQ(gave_up[0].at("attempts"), 3);
    EXPECT_EQ(gave_up[0].at("maxAttempts"), 3);
    EXPECT_EQ(gave_up[0].at("reason"), "max attempts reached");
    EXPECT_EQ(gave_up[0].at("error"), "flaky answered 503");
    // A call that may not be retried has no retries to run out of; a success needs none.
    ASSERT_FALSE(CallOn(flaky, /*idempotent=*/false));
    status_ = 200;
    ASSERT_TRUE(CallOn(flaky, /*idempotent=*/true));
    EXPECT_EQ(log.With("retries exhausted").size(), 1u) << log.text();
}

// The retry budget is the policy's retry.budget-percent: here every failed call may be retried
// once, where the default 20 % would allow 10 + 0.2 per call.
TEST_F(DependencyTest, RetriesStayWithinThePolicysBudget) {
    CallPolicy policy;
    policy.timeout = 100ms;
    policy.breaker.window_size = 100;  // never evaluated: the circuit stays closed
    policy.breaker.minimum_calls = 100;
    policy.retry.max_attempts = 2;
    policy.retry.backoff = 1ms;
    policy.retry.max_backoff = 1ms;
    policy.retry.budget_percent = 100;
    Dependency generous(io_, "generous", "http://127.0.0.1:" + std::to_string(server_->port()), policy, metrics_);
    status_ = 503;
    for (int i = 0; i < 30; ++i) ASSERT_FALSE(CallOn(generous, /*idempotent=*/true));
    EXPECT_EQ(served_, 60);

    policy.retry.budget_percent = 0;
    Dependency stingy(io_, "stingy", "http://127.0.0.1:" + std::to_string(server_->port()), policy, metrics_);
    served_ = 0;
    for (int i = 0; i < 30; ++i) ASSERT_FALSE(CallOn(stingy, /*idempotent=*/true));
    EXPECT_EQ(served_, 40) << "the budget's reserve of 10 retries, and none per call";
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
