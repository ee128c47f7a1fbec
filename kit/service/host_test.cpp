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
#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/messaging/sqlite_event_log.hpp"
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
                    if (auto published =
                            ctx.Publish(messaging::CloudEvent::New(ctx.source(), "ThingMade", req.body, {}));
                        !published) {
                        return http::ProblemFrom(published.error());  // rolled back with the transaction
                    }
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
                // A dependency nobody answers, made by the module as the gateway makes its upstreams:
                // one failed call opens its circuit.
                CallPolicy policy;
                policy.timeout = 500ms;
                policy.breaker.window_size = 1;
                policy.breaker.minimum_calls = 1;
                policy.breaker.open_wait = 60s;
                nowhere_ =
                    std::make_unique<Dependency>(ctx.io(), "nowhere", "http://127.0.0.1:1", policy, ctx.metrics());
                ctx.ShowInHealth(*nowhere_);
                ctx.actuator().AddAsync("POST", "/actuator/call",
                                        [this](http::Request&) -> http::Awaitable<http::Response> {
                                            http::Request req;
                                            req.method = "GET";
                                            req.target = "/lots/42";
                                            auto r = co_await nowhere_->Call(std::move(req));
                                            co_return r ? http::EmptyResponse(204) : http::ProblemFrom(r.error());
                                        });
                has_event_log_ = ctx.event_log() != nullptr;
                topic_ = ctx.topic();
                return Ok();
            }};
    }

    void Start(const std::string& show_details = "always", const std::string& more_yaml = {}, bool access_log = true) {
        auto [fd, port] = ListenOnLoopback();
        port_ = port;
        auto cfg = HostTestConfig(more_yaml);
        cfg.Set("management.endpoint.health.show-details", show_details);
        cfg.Set("logging.access", access_log ? "true" : "false");
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
    boost::json::object Json(const std::string& target, int want_status = 200) {
        Reply r = Call(port_, "GET", target);
        EXPECT_EQ(r.status, want_status) << target << ": " << r.body;
        auto v = boost::json::parse(r.body);
        return v.is_object() ? v.as_object() : boost::json::object{};
    }

    std::filesystem::path dir_;
    std::ostringstream log_;
    std::shared_ptr<spdlog::logger> previous_logger_;
    std::thread host_;
    std::atomic<int> exit_code_{-1};
    int port_ = 0;
    std::atomic<int> ticks_{0};
    bool has_event_log_ = false;
    std::unique_ptr<Dependency> nowhere_;
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

// Spring Boot's actuator: an index whose links resolve, health with components, info.
// A service the YAML lists publishes and handles the events its entry declares, and no others: the
// YAML's picture of the flows (the console's) cannot drift from the code.
TEST_F(HostTest, AListedServiceKeepsToTheEventsItsYamlDeclares) {
    auto [fd, port] = ListenOnLoopback();
    ::close(fd);
    RunOptions opts{.port = port, .data_dir = dir_.string()};
    EXPECT_EQ(RunService(HostTestConfig("services: [{name: svc, publishes: [ThingMade]}]\n"), Module(), opts), 1);
    EXPECT_NE(log_.str().find("services.svc.consumes does not match the code (handles ThingMade)"), std::string::npos)
        << log_.str();
    EXPECT_EQ(RunService(HostTestConfig("services: [{name: svc, publishes: [ThingMade], consumes: [ThingMade, "
                                        "ThingLost]}]\n"),
                         Module(), opts),
              1);
    EXPECT_NE(log_.str().find("(no handler for ThingLost)"), std::string::npos) << log_.str();

    Start("always", "services: [{name: svc, publishes: [OtherThing], consumes: [ThingMade]}]\n");
    Reply refused = Call(port_, "POST", "/things", "t1");
    EXPECT_EQ(refused.status, 500) << refused.body;
    EXPECT_NE(refused.body.find("services.svc.publishes does not list ThingMade"), std::string::npos) << refused.body;
}

TEST_F(HostTest, ActuatorIndexLinksResolveAndInfoNamesTheBuild) {
    Start();
    auto index = Json("/actuator");
    auto& links = index.at("_links").as_object();
    EXPECT_EQ(links.at("self").at("href"), "http://localhost/actuator");
    EXPECT_EQ(links.at("health-path").at("href"), "http://localhost/actuator/health/{*path}");
    EXPECT_EQ(links.at("health-path").at("templated"), true);
    for (const char* name : {"self", "health", "info", "prometheus", "deadletters"}) {
        ASSERT_TRUE(links.contains(name)) << name;
        std::string href(links.at(name).at("href").as_string());
        ASSERT_TRUE(href.starts_with("http://localhost/actuator")) << href;
        EXPECT_EQ(Call(port_, "GET", href.substr(std::string_view("http://localhost").size())).status, 200) << href;
    }
    EXPECT_FALSE(links.contains("faults")) << "fault injection is off";

    auto info = Json("/actuator/info");
    EXPECT_EQ(info.at("app").at("name"), "t/svc");
    EXPECT_EQ(info.at("app").at("system"), "t");
    EXPECT_EQ(info.at("app").at("service"), "svc");
    EXPECT_EQ(info.at("process").at("pid").as_int64(), ::getpid());
    auto& build = info.at("build").as_object();
    EXPECT_FALSE(build.at("version").as_string().empty());
    EXPECT_FALSE(build.at("time").as_string().empty());
    std::string commit(build.at("commit").as_string());
    if (std::filesystem::exists(std::filesystem::path(RESERVO_SOURCE_DIR) / ".git")) {
        // Built from a git checkout: the commit's full hash.
        EXPECT_EQ(commit.size(), 40u) << commit;
        EXPECT_EQ(commit.find_first_not_of("0123456789abcdef"), std::string::npos) << commit;
    } else {
        EXPECT_EQ(commit, "unknown");
    }
}

TEST_F(HostTest, HealthShowsComponentsAndAnOpenCircuitLeavesTheServiceUp) {
    Start();
    auto health = Json("/actuator/health");
    EXPECT_EQ(health.at("status"), "UP");
    auto& components = health.at("components").as_object();
    EXPECT_EQ(components.at("store").at("status"), "UP");
    EXPECT_EQ(components.at("store").at("details").at("database"), "sqlite");
    EXPECT_EQ(components.at("eventLog").at("status"), "UP");
    EXPECT_EQ(components.at("eventLog").at("details").at("topic"), "t");
    EXPECT_EQ(components.at("ping").at("status"), "UP");
    EXPECT_EQ(components.at("circuitBreakers").at("details").at("nowhere").at("status"), "UP");
    EXPECT_EQ(components.at("circuitBreakers").at("details").at("nowhere").at("details").at("state"), "CLOSED");

    EXPECT_EQ(Call(port_, "POST", "/actuator/call").status, 503);  // refused: the circuit opens
    health = Json("/actuator/health");
    EXPECT_EQ(health.at("status"), "UP") << "an open circuit takes nothing out of rotation";
    auto& breaker = health.at("components").at("circuitBreakers").at("details").at("nowhere");
    EXPECT_EQ(breaker.at("status"), "CIRCUIT_OPEN");
    EXPECT_EQ(breaker.at("details").at("state"), "OPEN");
    EXPECT_EQ(breaker.at("details").at("failureRate"), "100.0%");
    EXPECT_EQ(Json("/actuator/health/circuitBreakers/nowhere").at("status"), "CIRCUIT_OPEN");
    EXPECT_EQ(Json("/actuator/health/store").at("details").at("database"), "sqlite");
    EXPECT_EQ(Json("/actuator/health/readiness").at("status"), "UP");
    EXPECT_EQ(Json("/actuator/health/liveness").at("status"), "UP");
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/nothing").status, 404);
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/circuitBreakers/nothing").status, 404);

    // A component the module reports unusable: DOWN, with why, and the service with it (as readiness).
    EXPECT_EQ(Call(port_, "POST", "/actuator/problem", "card processor unreachable").status, 204);
    health = Json("/actuator/health", 503);
    EXPECT_EQ(health.at("status"), "DOWN");
    EXPECT_EQ(health.at("components").at("payments").at("details").at("error"), "card processor unreachable");
    EXPECT_EQ(Json("/actuator/health/payments", 503).at("status"), "DOWN");
    EXPECT_EQ(Call(port_, "POST", "/actuator/problem", "").status, 204);
    EXPECT_EQ(Json("/actuator/health").at("status"), "UP");
}

TEST_F(HostTest, ShowDetailsNeverHidesEveryDetail) {
    Start("never");
    EXPECT_EQ(Call(port_, "POST", "/actuator/call").status, 503);
    auto health = Json("/actuator/health");
    EXPECT_EQ(health.at("status"), "UP");
    auto& components = health.at("components").as_object();
    EXPECT_EQ(components.at("store").at("status"), "UP");
    EXPECT_EQ(components.at("circuitBreakers").at("status"), "UNKNOWN");  // its only breaker is open
    for (const auto& [name, c] : components) EXPECT_FALSE(c.as_object().contains("details")) << name;
    EXPECT_EQ(Json("/actuator/health/store"), (boost::json::object{{"status", "UP"}}));
    EXPECT_EQ(Json("/actuator/health/circuitBreakers/nowhere"), (boost::json::object{{"status", "CIRCUIT_OPEN"}}));
}

// The Prometheus text: Micrometer's and Resilience4j's names, parseable, with plausible values.
TEST_F(HostTest, PrometheusTextUsesTheNamesDashboardsKnow) {
    Start();
    EXPECT_EQ(Call(port_, "POST", "/things", "p").status, 201);
    EXPECT_EQ(Call(port_, "GET", "/nowhere").status, 404);
    EXPECT_EQ(Call(port_, "POST", "/actuator/call").status, 503);
    std::string text = Call(port_, "GET", "/actuator/prometheus").body;
    EXPECT_EQ(Call(port_, "GET", "/metrics").status, 200);
    // Every sample line is `name{labels} value` (or `name value`).
    std::istringstream lines(text);
    int samples = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("#")) {
            EXPECT_TRUE(line.starts_with("# HELP ") || line.starts_with("# TYPE ")) << line;
            continue;
        }
        ++samples;
        const size_t space = line.rfind(' ');
        ASSERT_NE(space, std::string::npos) << line;
        std::string value = line.substr(space + 1);
        char* end = nullptr;
        std::strtod(value.c_str(), &end);
        EXPECT_TRUE(*end == '\0' || value == "+Inf" || value == "NaN") << line;
        const size_t brace = line.find('{');
        if (brace != std::string::npos && brace < space) {
            EXPECT_EQ(line[space - 1], '}') << line;
        }
    }
    EXPECT_GT(samples, 50) << text;
    EXPECT_EQ(text.find("le=\"0.00050"), std::string::npos) << "bucket bounds with noise digits";
    EXPECT_NE(text.find("le=\"0.0005\""), std::string::npos);
    EXPECT_GE(
        Metric(R"(http_server_requests_seconds_count{method="POST",outcome="SUCCESS",status="201",uri="/things"})"), 1);
    EXPECT_GE(
        Metric(
            R"(http_server_requests_seconds_count{method="GET",outcome="CLIENT_ERROR",status="404",uri="NOT_FOUND"})"),
        1);
    EXPECT_GE(
        Metric(
            R"(http_server_requests_seconds_bucket{method="POST",outcome="SUCCESS",status="201",uri="/things",le="+Inf"})"),
        1);
    EXPECT_NE(text.find("# TYPE http_server_requests_seconds histogram"), std::string::npos);
    EXPECT_EQ(
        Metric(
            R"(http_client_requests_seconds_count{client_name="nowhere",method="GET",outcome="UNKNOWN",status="CLIENT_ERROR",uri="/lots/{id}"})"),
        1);
    EXPECT_EQ(Metric(R"(resilience4j_circuitbreaker_state{name="nowhere",state="open"})"), 1);
    EXPECT_EQ(Metric(R"(resilience4j_circuitbreaker_state{name="nowhere",state="closed"})"), 0);
    EXPECT_EQ(Metric(R"(resilience4j_circuitbreaker_calls_seconds_count{kind="failed",name="nowhere"})"), 1);
    EXPECT_EQ(Call(port_, "POST", "/actuator/call").status, 503);  // refused without a call
    EXPECT_EQ(Metric(R"(resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="nowhere"})"),
              1);
    EXPECT_EQ(Metric(R"(resilience4j_circuitbreaker_failure_rate{name="nowhere"})"), 100);
    EXPECT_GE(Metric(R"(resilience4j_circuitbreaker_slow_call_rate{name="nowhere"})"), 0);
    EXPECT_GT(Metric(R"(resilience4j_bulkhead_available_concurrent_calls{name="nowhere"})"), 0);
    // The consumer's lag per partition, the outbox's backlog and the parked events.
    for (int p = 0; p < 4; ++p) {
        EXPECT_GE(Metric(R"(reservo_consumer_lag{group="svc",partition=")" + std::to_string(p) + R"(",topic="t"})"), 0)
            << p;
    }
    EXPECT_GE(Metric(R"(reservo_outbox_backlog{topic="t"})"), 0);
    EXPECT_EQ(Metric(R"(reservo_dead_letters{group="svc"})"), 0);
    EXPECT_EQ(Metric(R"(reservo_dead_letters_total{group="svc"})"), 0);
    EXPECT_NE(text.find("# TYPE reservo_dead_letters_total counter"), std::string::npos);
    // This process's own figures, from /proc/self.
    EXPECT_GT(Metric("process_resident_memory_bytes"), 1 << 20);
    const double now = static_cast<double>(std::time(nullptr));
    EXPECT_GT(Metric("process_start_time_seconds"), now - 3600);
    EXPECT_LE(Metric("process_start_time_seconds"), now + 1);
    EXPECT_GT(Metric("process_open_fds"), 3);
    EXPECT_GE(Metric("process_max_fds"), Metric("process_open_fds"));
    EXPECT_GE(Metric("process_cpu_seconds_total"), 0);
    EXPECT_EQ(Metric("reservo_readiness_up"), 1);
    EXPECT_EQ(text.find("\nreservo_http_server_requests_total"), std::string::npos) << "the old names are gone";
    EXPECT_EQ(text.find("\nreservo_circuit_breaker_state"), std::string::npos);
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

// The lines log::Init writes into `out`, parsed (read once the host stopped).
std::vector<boost::json::object> JsonLines(const std::ostringstream& out) {
    std::vector<boost::json::object> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(boost::json::parse(line).as_object());
    return lines;
}
std::vector<boost::json::object> With(const std::vector<boost::json::object>& lines, std::string_view msg) {
    std::vector<boost::json::object> found;
    for (const auto& line : lines) {
        if (line.at("msg").as_string() == msg) found.push_back(line);
    }
    return found;
}

TEST_F(HostTest, EveryRequestIsOneAccessLineAndWhatItCausesCarriesItsTrace) {
    std::ostringstream out;
    log::Init("t/svc", "debug", &out);
    const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    Start();
    EXPECT_EQ(Call(port_, "POST", "/things", "a1",
                   {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}, {"X-Request-Id", "req-42"}})
                  .status,
              201);
    for (auto until = std::chrono::steady_clock::now() + 5s;
         Seen() != "1" && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(Call(port_, "GET", "/nothing/here?secret=1").status, 404);
    EXPECT_EQ(Call(port_, "GET", "/actuator/custom").status, 200);
    Stop();
    const auto lines = JsonLines(out);

    std::vector<boost::json::object> posts, misses, actuator;
    for (const auto& line : With(lines, "access")) {
        if (line.at("path") == "/things") posts.push_back(line);
        if (line.at("path") == "/nothing/here") misses.push_back(line);
        if (line.at("path") == "/actuator/custom") actuator.push_back(line);
    }
    ASSERT_EQ(posts.size(), 1u) << out.str();
    const auto& post = posts[0];
    EXPECT_EQ(post.at("level"), "info");
    EXPECT_EQ(post.at("method"), "POST");
    EXPECT_EQ(post.at("route"), "/things");
    EXPECT_TRUE(post.at("status").is_int64());
    EXPECT_EQ(post.at("status"), 201);
    EXPECT_TRUE(post.at("durationMs").is_number());
    EXPECT_GT(post.at("bytesOut").to_number<int64_t>(), 0);
    EXPECT_EQ(post.at("client"), "127.0.0.1");
    EXPECT_EQ(post.at("requestId"), "req-42");
    EXPECT_EQ(post.at("trace_id").as_string(), trace_id);
    EXPECT_EQ(post.at("span_id"), "00f067aa0ba902b7");
    ASSERT_EQ(misses.size(), 1u) << out.str();
    EXPECT_EQ(misses[0].at("status"), 404);
    EXPECT_FALSE(misses[0].contains("route")) << "no route matched";
    EXPECT_EQ(out.str().find("secret"), std::string::npos) << "queries stay out of the log";
    ASSERT_EQ(actuator.size(), 1u) << out.str();
    EXPECT_EQ(actuator[0].at("level"), "debug") << "probes and scrapes only at debug";
    EXPECT_NE(actuator[0].at("trace_id").as_string(), trace_id);

    // The event the request published is applied in the request's trace.
    auto applied = With(lines, "event applied");
    ASSERT_EQ(applied.size(), 1u) << out.str();
    EXPECT_EQ(applied[0].at("type"), "ThingMade");
    EXPECT_EQ(applied[0].at("trace_id").as_string(), trace_id);
    // Start-up and shutdown are nobody's request: no trace; a drain is one line as it starts, one as it ends.
    for (std::string_view msg : {"ready", "drain started", "drain finished", "stopped"}) {
        auto found = With(lines, msg);
        ASSERT_EQ(found.size(), 1u) << msg << "\n" << out.str();
        EXPECT_FALSE(found[0].contains("trace_id")) << msg;
    }
    EXPECT_EQ(With(lines, "drain started")[0].at("reason"), "SIGTERM");
    EXPECT_TRUE(With(lines, "drain finished")[0].at("durationMs").is_number());
    EXPECT_EQ(With(lines, "drain finished")[0].at("outboxBacklog"), 0);
}

TEST_F(HostTest, AccessLogOffWritesNoAccessLines) {
    std::ostringstream out;
    log::Init("t/svc", "debug", &out);
    Start("always", {}, /*access_log=*/false);
    EXPECT_EQ(Call(port_, "POST", "/things", "b1").status, 201);
    EXPECT_EQ(Call(port_, "GET", "/actuator/custom").status, 200);
    Stop();
    const auto lines = JsonLines(out);
    EXPECT_EQ(With(lines, "ready").size(), 1u) << out.str();
    EXPECT_TRUE(With(lines, "access").empty()) << out.str();
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
    EXPECT_EQ(Metric("reservo_outbox_backlog{topic=\"t\"}"), 1);

    other_process.Release();
    for (auto until = std::chrono::steady_clock::now() + 3s;
         Seen() != "1" && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(Seen(), "1");
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(Seen(), "1");
    EXPECT_EQ(Metric("reservo_outbox_backlog{topic=\"t\"}"), 0);
    EXPECT_EQ(Call(port_, "GET", "/actuator/health/readiness").status, 200);
}

// An idle consumer sleeps until the event log's doorbell rings: events another process appends are
// applied at once, not at the consumer's next heartbeat (1 s), which is when an idle pump without the
// doorbell would next look. Five events appended one after another, each waited for: without the
// doorbell that takes ~2.5 s on average (at least a few hundred ms); with it, milliseconds.
TEST_F(HostTest, AnIdleConsumerIsWokenByAnotherProcesssAppendNotByItsHeartbeat) {
    Start();
    auto other_process = messaging::SqliteEventLog::Open((dir_ / "events.db").string(), 4).value();
    std::this_thread::sleep_for(300ms);  // caught up and asleep
    auto start = std::chrono::steady_clock::now();
    for (int i = 1; i <= 5; ++i) {
        auto event = messaging::CloudEvent::New("/t/other", "ThingMade", "x" + std::to_string(i), {});
        ASSERT_TRUE(other_process->Append(topic_, std::span(&event, 1)));
        for (auto until = std::chrono::steady_clock::now() + 3s;
             Seen() != std::to_string(i) && std::chrono::steady_clock::now() < until;) {
            std::this_thread::sleep_for(2ms);
        }
        ASSERT_EQ(Seen(), std::to_string(i));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "five events took a heartbeat each";
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
