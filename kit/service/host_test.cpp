// The service host run in-process on a socket of its own: what a module sees of it, and that its
// event loop keeps answering while another process holds a lock on its store or the event log.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "kit/core/deadline.hpp"
#include "kit/http/problem.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/service/host_test_support.hpp"
#include "kit/service/service.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

constexpr store::Migration kMigrations[] = {
    {1, "CREATE TABLE things (id TEXT PRIMARY KEY)"},
    {2, "CREATE TABLE seen (event_id TEXT PRIMARY KEY)"},
};
constexpr store::Sql kAddThing{"add_thing", "INSERT INTO things (id) VALUES (?)"};
constexpr store::Sql kSee{"see_event", "INSERT INTO seen (event_id) VALUES (?)"};
constexpr store::Sql kSeen{"count_seen", "SELECT COUNT(*) FROM seen"};

// A lock held by another process, as one is while it commits.
class HeldLock final {
  public:
    explicit HeldLock(const std::string& path) : db_(store::SqliteDatabase::Open(path).value()) {
        tx_.emplace(db_->Begin().value());
    }
    void Release() { tx_.reset(); }

  private:
    std::unique_ptr<store::SqliteDatabase> db_;
    std::optional<store::Transaction> tx_;
};

class HostTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-host-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        previous_logger_ = spdlog::default_logger();
        spdlog::set_default_logger(
            std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)));
    }
    void TearDown() override {
        Stop();
        spdlog::set_default_logger(previous_logger_);
        std::filesystem::remove_all(dir_);
    }

    ServiceModule Module() {
        return ServiceModule{
            .system = "t",
            .name = "svc",
            .migrations = {std::begin(kMigrations), std::end(kMigrations)},
            .wire = [this](ServiceContext& ctx) -> Status {
                ctx.router().Post("/things", [&ctx](http::Request& req) {
                    auto tx = ctx.db().Begin();
                    if (!tx) return http::Unavailable(tx.error().message, 1000);
                    (void)ctx.db().Execute(kAddThing, {req.body});
                    (void)ctx.Publish(messaging::CloudEvent::New(ctx.source(), "ThingMade", req.body, {}));
                    (void)tx->Commit();
                    return http::JsonResponse(201, boost::json::object{{"id", req.body}});
                });
                ctx.router().Get("/seen", [&ctx](http::Request&) {
                    return http::TextResponse(200, std::to_string(ctx.db().QueryOne(kSeen)->Int(0)));
                });
                ctx.On("ThingMade", [](const messaging::CloudEvent& e, store::Database& db) -> Status {
                    auto r = db.Execute(kSee, {e.id});
                    if (!r) return Fail(r.error());
                    return Ok();
                });
                ctx.actuator().Get("/actuator/custom", [](http::Request&) { return http::TextResponse(200, "mine"); });
                ctx.actuator().Post("/actuator/problem", [&ctx](http::Request& req) {
                    ctx.SetProblem("payments", req.body);
                    return http::EmptyResponse(204);
                });
                ctx.Every(20ms, [this] {
                    ++ticks_;
                    throw std::runtime_error("tick boom");
                });
                has_event_log_ = ctx.event_log() != nullptr;
                topic_ = ctx.topic();
                return Ok();
            }};
    }

    void Start() {
        auto [fd, port] = ListenOnLoopback();
        port_ = port;
        auto cfg = HostTestConfig();
        RunOptions opts{.listen_fd = fd, .data_dir = dir_.string()};
        host_ = std::thread([this, cfg, opts] { exit_code_ = RunService(cfg, Module(), opts); });
        for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
            try {
                if (Call(port_, "GET", "/actuator/health/readiness").status == 200) return;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(10ms);
        }
        FAIL() << "the host did not become ready";
    }
    void Stop() {
        if (!host_.joinable()) return;
        ::kill(::getpid(), SIGTERM);  // the host drains as it does for Kubernetes
        host_.join();
    }
    // How long the event loop takes to answer a probe.
    std::chrono::steady_clock::duration Probe() {
        auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(Call(port_, "GET", "/actuator/health/liveness").status, 200);
        return std::chrono::steady_clock::now() - start;
    }
    double Metric(const std::string& series) {
        std::string text = Call(port_, "GET", "/actuator/prometheus").body;
        auto at = text.find("\n" + series + " ");
        return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
    }
    std::string Seen() { return Call(port_, "GET", "/seen").body; }

    std::filesystem::path dir_;
    std::ostringstream log_;
    std::shared_ptr<spdlog::logger> previous_logger_;
    std::thread host_;
    std::atomic<int> exit_code_{-1};
    int port_ = 0;
    std::atomic<int> ticks_{0};
    bool has_event_log_ = false;
    std::string topic_;
};

TEST_F(HostTest, OperatorEndpointsAndReportedProblemsFeedReadiness) {
    Start();
    EXPECT_TRUE(has_event_log_);
    EXPECT_EQ(topic_, "t");  // events.topic
    auto custom = Call(port_, "GET", "/actuator/custom");
    EXPECT_EQ(custom.status, 200);
    EXPECT_EQ(custom.body, "mine");

    EXPECT_EQ(Call(port_, "POST", "/actuator/problem", "card processor unreachable").status, 204);
    auto down = Call(port_, "GET", "/actuator/health/readiness");
    EXPECT_EQ(down.status, 503);
    auto body = boost::json::parse(down.body).as_object();
    EXPECT_EQ(body.at("status"), "DOWN");
    EXPECT_EQ(body.at("details").at("payments"), "card processor unreachable");
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/liveness").status, 200);  // restarting would not help

    EXPECT_EQ(Call(port_, "POST", "/actuator/problem", "").status, 204);
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/readiness").status, 200);
    Stop();
    EXPECT_EQ(exit_code_, 0);
}

TEST_F(HostTest, AThrowingPeriodicTaskIsLoggedAndKeepsItsSchedule) {
    Start();
    for (auto until = std::chrono::steady_clock::now() + 5s; ticks_ < 3 && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_GE(ticks_, 3);
    Stop();
    const std::string text = log_.str();
    EXPECT_NE(text.find("periodic task failed"), std::string::npos) << text;
    EXPECT_NE(text.find("tick boom"), std::string::npos) << text;
}

TEST_F(HostTest, ABusyStoreMakesAnIdempotentRequestWaitButNotTheLoop) {
    Start();
    HeldLock replica((dir_ / "svc.db").string());
    auto started = std::chrono::steady_clock::now();
    auto waiting = std::async(std::launch::async, [&] {
        return Call(port_, "POST", "/things", "a",
                    {{"Idempotency-Key", "k-1"}, {"X-Request-Deadline", deadline::ToHeader(started + 600ms)}});
    });
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 5; ++i) EXPECT_LT(Probe(), 200ms) << "the loop answers while the request waits";
    Reply refused = waiting.get();
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.retry_after, "1");
    EXPECT_GE(waited, 500ms);
    EXPECT_LT(waited, 2500ms);
    EXPECT_GT(Metric("reservo_store_busy_total{what=\"idempotency\"}"), 0);

    replica.Release();
    auto created = Call(port_, "POST", "/things", "a", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_FALSE(created.replayed);
    auto again = Call(port_, "POST", "/things", "a", {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(again.status, 201);
    EXPECT_TRUE(again.replayed);
}

TEST_F(HostTest, ABusyEventLogDelaysEventsButNotRequestsAndAppliesThemOnce) {
    Start();
    HeldLock other_process((dir_ / "events.db").string());
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Call(port_, "POST", "/things", "b").status, 201);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
    std::this_thread::sleep_for(400ms);  // relay passes and retries meet the lock
    for (int i = 0; i < 5; ++i) EXPECT_LT(Probe(), 200ms);
    EXPECT_EQ(Seen(), "0");
    EXPECT_GT(Metric("reservo_store_busy_total{what=\"relay\"}"), 0);
    EXPECT_EQ(Metric("reservo_outbox_backlog"), 1);

    other_process.Release();
    for (auto until = std::chrono::steady_clock::now() + 3s;
         Seen() != "1" && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(Seen(), "1");
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(Seen(), "1");
    EXPECT_EQ(Metric("reservo_outbox_backlog"), 0);
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/readiness").status, 200);
}

}  // namespace
}  // namespace reservo::service

namespace reservo::service {
namespace {

TEST(HostSettingsTest, AKeyTheConfigurationLacksStopsTheHostBeforeItOpensAnything) {
    const auto dir = std::filesystem::temp_directory_path() / ("reservo-host-settings-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto cfg =
        Config::FromYaml("store: {synchronous: normal}", [](const std::string&) { return std::nullopt; }).value();
    EXPECT_EQ(RunService(cfg, ServiceModule{.system = "t", .name = "svc"}, RunOptions{.data_dir = dir.string()}), 2);
    EXPECT_FALSE(std::filesystem::exists(dir)) << "the host opened its data directory";
}

}  // namespace
}  // namespace reservo::service
