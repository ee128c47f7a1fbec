// Both gRPC adapters of payment's API in one process, over a real socket: reservation's outbound
// one (payment_grpc) behind a Dependency with a policy, payment's inbound one (grpc_adapter) in
// front of a stand-in for the use case. Checks the answers as reservation reads them (REST's
// shapes), the status mapping both ways, that the use case runs on the event loop with the call's
// deadline, and that a stopped server fails fast and opens the circuit. The module's code is linked
// in here (pay::HotelGrpcApi()); the processes load it from libreservo_hotel_grpc.so.
#include "systems/hotel/payment/grpc_adapter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "kit/core/deadline.hpp"
#include "kit/json/json.hpp"
#include "systems/hotel/payment/grpc_contract.hpp"
#include "systems/hotel/payment/grpc_module.hpp"
#include "systems/hotel/reservation/payment_grpc.hpp"

namespace reservo::hotel {
namespace {

std::optional<std::string> NoEnv(const std::string&) { return std::nullopt; }

// Only what the gRPC adapter uses: the loop, the metrics, the drain hook.
class LoopContext final : public service::ServiceContext {
  public:
    const Config& config() const override { return config_; }
    const std::string& system() const override { return name_; }
    const std::string& name() const override { return name_; }
    std::string source() const override { return "/hotel/payment"; }
    boost::asio::io_context& io() override { return io_; }
    http::Router& router() override { return router_; }
    http::Router& actuator() override { return router_; }
    store::Database& db() override { throw std::logic_error("no store"); }
    service::Metrics& metrics() override { return metrics_; }
    Status Publish(const messaging::CloudEvent&) override { return Ok(); }
    void On(std::string, service::EventHandler) override {}
    service::Dependency& Dep(const std::string&) override { throw std::logic_error("no dependency"); }
    const service::LoopWatch* loop_watch() const override { return nullptr; }
    void Every(std::chrono::milliseconds, std::function<void()>) override {}
    messaging::EventLog* event_log() override { return nullptr; }
    const std::string& topic() const override { return name_; }
    void SetProblem(const std::string&, std::string) override {}
    void OnDrain(std::function<void()> hook) override { drain_ = std::move(hook); }

    boost::asio::io_context io_{1};
    service::Metrics metrics_;
    std::function<void()> drain_;

  private:
    Config config_ = *Config::FromYaml("system: hotel", NoEnv);
    std::string name_ = "payment";
    http::Router router_;
};

http::Request PayCall(int64_t reservation, int64_t amount) {
    http::Request req;
    req.method = "POST";
    req.target = "/payments";
    req.body = json::Serialize(boost::json::object{{"reservationId", reservation},
                                                   {"userId", "kim"},
                                                   {"amount", amount},
                                                   {"payMethod", "card"},
                                                   {"payStatus", "PayRequest"}});
    return req;
}

class GrpcAdaptersTest : public ::testing::Test {
  protected:
    void SetUp() override {
        loop_thread_ = std::this_thread::get_id();
        auto started = pay::GrpcPayments::Start(*pay::HotelGrpcApi(), ctx_, {.address = "127.0.0.1:0"},
                                                [this](pay::PayRequest r) { return Pay(std::move(r)); });
        ASSERT_TRUE(started) << started.error().message;
        server_ = std::move(*started);
        CallPolicy policy;
        policy.timeout = Millis(2000);
        policy.breaker.minimum_calls = 4;
        policy.breaker.window_size = 4;
        policy.breaker.open_wait = Millis(60000);
        payment_ =
            std::make_unique<service::Dependency>(ctx_.io_, "payment", "http://127.0.0.1:1", policy, ctx_.metrics_);
        booking::UsePaymentOverGrpc(*pay::HotelGrpcApi(), *payment_, ctx_.io_,
                                    "127.0.0.1:" + std::to_string(server_->port()));
    }

    // The stand-in use case: refuses a bad amount and reservation 13, pays each reservation once.
    http::Awaitable<Result<pay::PayResult>> Pay(pay::PayRequest r) {
        on_loop_ = on_loop_ && std::this_thread::get_id() == loop_thread_;
        had_deadline_ = deadline::Current().has_value();
        if (r.amount <= 0) co_return Fail(Code::kInvalidArgument, "amount: must be positive");
        if (r.reservationId == 13) co_return Fail(Code::kFailedPrecondition, "reservation 13 was closed");
        if (r.reservationId == 14) co_return Fail(Code::kUnavailable, "the store is busy");
        if (r.reservationId == 15 || r.reservationId == 17) {  // slow: a drain begins, or the caller gives up
            boost::asio::steady_timer slow(ctx_.io_, std::chrono::milliseconds(r.reservationId == 15 ? 300 : 400));
            co_await slow.async_wait(boost::asio::use_awaitable);
        }
        bool created = paid_.insert(r.reservationId).second;
        co_return pay::PayResult{.payment = {.id = 100 + r.reservationId,
                                             .reservationId = r.reservationId,
                                             .userId = r.userId,
                                             .amount = r.amount,
                                             .payMethod = r.payMethod,
                                             .payStatus = "PayCompleted",
                                             .payDate = "2031-01-01T00:00:00Z"},
                                 .created = created};
    }

    // Runs `call` on the loop until it finishes.
    Result<http::Response> Run(http::Request req) {
        std::optional<Result<http::Response>> out;
        boost::asio::co_spawn(
            ctx_.io_,
            [&]() -> http::Awaitable<void> { out = co_await payment_->Call(std::move(req), /*idempotent=*/true); },
            [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    ADD_FAILURE() << "the call threw: " << x.what();
                }
            });
        ctx_.io_.restart();
        while (!out && ctx_.io_.run_one_for(std::chrono::seconds(10)) > 0) {
        }
        EXPECT_TRUE(out.has_value()) << "the call did not finish";
        return out ? *out : Fail(Code::kInternal, "did not finish");
    }

    LoopContext ctx_;
    std::thread::id loop_thread_;
    std::unique_ptr<pay::GrpcPayments> server_;
    std::unique_ptr<service::Dependency> payment_;
    std::set<int64_t> paid_;
    bool on_loop_ = true;
    bool had_deadline_ = false;
};

TEST_F(GrpcAdaptersTest, APaymentComesBackAsRestWouldAnswerIt) {
    auto first = Run(PayCall(7, 300));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->status, 201);
    auto body = json::ParseObject(first->body).value();
    EXPECT_EQ(json::ToInt(body.at("id"), "id").value(), 107);
    EXPECT_EQ(json::ToString(body.at("payStatus"), "payStatus").value(), "PayCompleted");
    EXPECT_EQ(json::ToInt(body.at("amount"), "amount").value(), 300);

    auto repeat = Run(PayCall(7, 300));
    ASSERT_TRUE(repeat);
    EXPECT_EQ(repeat->status, 200);  // the same payment, not made again
    EXPECT_TRUE(on_loop_) << "the use case ran off the event loop";
    EXPECT_TRUE(had_deadline_) << "the call's deadline did not reach the use case";
    EXPECT_NE(ctx_.metrics_.Render().find(R"(grpc_code="OK"} 2)"), std::string::npos) << ctx_.metrics_.Render();
}

TEST_F(GrpcAdaptersTest, RefusalsAreProblemsAndFailuresAreUnavailable) {
    auto bad = Run(PayCall(8, -1));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_NE(bad->body.find("amount: must be positive"), std::string::npos) << bad->body;

    auto closed = Run(PayCall(13, 100));
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->status, 409);

    auto busy = Run(PayCall(14, 100));
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, Code::kUnavailable);
}

TEST_F(GrpcAdaptersTest, AStoppedServerFailsFastAndOpensTheCircuit) {
    ASSERT_TRUE(Run(PayCall(9, 100)));
    ASSERT_TRUE(ctx_.drain_);
    ctx_.drain_();    // as the host begins to drain: no new calls
    server_.reset();  // and gone
    for (int i = 0; i < 4; ++i) {
        auto start = SteadyClock::now();
        auto r = Run(PayCall(20 + i, 100));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Code::kUnavailable) << r.error().message;
        EXPECT_LT(SteadyClock::now() - start, std::chrono::milliseconds(1000));
    }
    auto refused = Run(PayCall(30, 100));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("circuit to payment is open"), std::string::npos) << refused.error().message;
}

TEST_F(GrpcAdaptersTest, ADrainLetsACallInFlightFinishThenTakesNoMore) {
    boost::asio::steady_timer drain_at(ctx_.io_, std::chrono::milliseconds(50));
    drain_at.async_wait([this](const boost::system::error_code&) { ctx_.drain_(); });
    auto slow = Run(PayCall(15, 100));
    ASSERT_TRUE(slow) << slow.error().message;
    EXPECT_EQ(slow->status, 201);
    server_.reset();  // returns: nothing is in flight any more
    auto after = Run(PayCall(16, 100));
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, Code::kUnavailable) << after.error().message;
}

TEST_F(GrpcAdaptersTest, ACallPastItsTimeoutIsDeadlineExceededAndCountsAgainstTheBreaker) {
    CallPolicy policy;
    policy.timeout = Millis(150);
    auto quick =
        std::make_unique<service::Dependency>(ctx_.io_, "payment", "http://127.0.0.1:1", policy, ctx_.metrics_);
    booking::UsePaymentOverGrpc(*pay::HotelGrpcApi(), *quick, ctx_.io_, "127.0.0.1:" + std::to_string(server_->port()));
    payment_ = std::move(quick);
    auto start = SteadyClock::now();
    auto late = Run(PayCall(17, 100));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Code::kDeadlineExceeded) << late.error().message;
    EXPECT_LT(SteadyClock::now() - start, std::chrono::milliseconds(400));
    EXPECT_EQ(payment_->breaker().counters().failures, 1u) << "a timeout is the dependency's failure";
    // The use case still finishes on the loop (its answer goes nowhere), so the server can stop.
    boost::asio::steady_timer settle(ctx_.io_, std::chrono::milliseconds(500));
    settle.async_wait([](const boost::system::error_code&) {});
    ctx_.io_.restart();
    ctx_.io_.run_for(std::chrono::milliseconds(600));
}

TEST(GrpcContract, CodesMapBothWays) {
    for (Code c : {Code::kOk, Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists, Code::kFailedPrecondition,
                   Code::kAborted, Code::kResourceExhausted, Code::kUnavailable, Code::kDeadlineExceeded,
                   Code::kUnknown, Code::kInternal}) {
        EXPECT_EQ(pay::CodeOfGrpc(pay::GrpcCodeOf(c)), c) << CodeName(c);
    }
    EXPECT_EQ(pay::GrpcCodeOf(Code::kInvalidArgument), 3);     // INVALID_ARGUMENT
    EXPECT_EQ(pay::GrpcCodeOf(Code::kFailedPrecondition), 9);  // FAILED_PRECONDITION
    EXPECT_EQ(pay::GrpcCodeOf(Code::kUnavailable), 14);        // UNAVAILABLE
    EXPECT_EQ(pay::GrpcCodeOf(Code::kDeadlineExceeded), 4);    // DEADLINE_EXCEEDED
    EXPECT_EQ(pay::CodeOfGrpc(1), Code::kUnknown);             // CANCELLED: the outcome is unknown
}

TEST(GrpcContract, PortIsSetOrThereIsNoGrpc) {
    auto cfg = Config::FromYaml(R"(
system: hotel
gateway: {port: 8280}
runtime: {bind-address: 127.0.0.1}
services:
  - name: room
  - name: reservation
  - name: payment
)",
                                NoEnv);
    ASSERT_TRUE(cfg) << cfg.error().message;
    auto none = pay::GrpcTarget(*cfg);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("services.payment.grpc-port"), std::string::npos) << none.error().message;
    cfg->Set("runtime.port-base", "20000");
    cfg->Set("services.payment.grpc-port", "20009");
    EXPECT_EQ(pay::GrpcPort(*cfg).value(), 20009);
    EXPECT_EQ(pay::GrpcTarget(*cfg).value(), "127.0.0.1:20009");
}

}  // namespace
}  // namespace reservo::hotel
