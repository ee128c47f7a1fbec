#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>

#include "kit/core/build_info.hpp"
#include "kit/core/deadline.hpp"
#include "kit/core/fiber.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "kit/core/try.hpp"
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/http/server.hpp"
#include "kit/json/json.hpp"
#include "kit/messaging/consumer.hpp"
#include "kit/messaging/outbox.hpp"
#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/service/access_log.hpp"
#include "kit/service/engines.hpp"
#include "kit/service/fault_latency.hpp"
#include "kit/service/idempotency.hpp"
#include "kit/service/loop_watch.hpp"
#include "kit/service/process_metrics.hpp"
#include "kit/service/service.hpp"
#include "kit/service/spawn.hpp"
#include "kit/service/topology.hpp"
#include "kit/service/view_rebuild.hpp"

namespace reservo::service {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

// How long a request waits for the store's write lock (held by a replica, or another process)
// for its Idempotency-Key, at most: the loop goes on meanwhile; then 503 with Retry-After.
constexpr auto kStoreWait = 2s;
// A consumer that could not join its group for this long shows in readiness.
constexpr auto kConsumerStall = 10s;
constexpr auto kRetentionPeriod = 60s;
constexpr int kRetentionBatch = 500;

// Fault injection for reproducing the seeds' overload experiments (`POST /actuator/faults`).
struct Faults {
    bool active = false;
    int min_ms = 0;
    int max_ms = 0;
    double error_rate = 0;
    service::FaultLatency latency;  // per request, or per Idempotency-Key ("latencyPer")
};

std::string_view LatencyPer(const Faults& f) {
    return f.latency.per() == service::FaultLatency::Per::kIdempotencyKey ? "idempotencyKey" : "request";
}

http::Awaitable<void> Sleep(asio::io_context& io, std::chrono::milliseconds d) {
    asio::steady_timer t(io, d);
    co_await t.async_wait(kNoThrow);
}

// The identity of a service's store, made once when the store is created: a store that another
// file replaced (lost, truncated, restored from elsewhere) has another one.
constexpr store::Migration kStoreIdentity[] = {
    {9031, "CREATE TABLE store_identity (id TEXT NOT NULL, created_at TEXT NOT NULL)"},
};
constexpr store::Sql kIdentity{"store_identity", "SELECT id FROM store_identity LIMIT 1"};
constexpr store::Sql kNewIdentity{"store_identity_new", "INSERT INTO store_identity (id, created_at) VALUES (?, ?)"};
constexpr store::Sql kForgetInbox{"inbox_forget_group", "DELETE FROM inbox WHERE grp = ?"};

Result<std::string> StoreIdentity(store::Database& db) {
    auto tx = db.Begin();
    if (!tx) return Fail(tx.error());
    auto rows = db.Query(kIdentity);
    if (!rows) return Fail(rows.error());
    if (!rows->empty()) return rows->front().Text(0);
    std::string id = RandomHexId(16);
    if (auto r = db.Execute(kNewIdentity, {id, NowIso8601()}); !r) return Fail(r.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return id;
}

// Spring Boot's health shape: {"status":"UP"}, or DOWN with what is wrong.
http::Response HealthResponse(bool up, std::string_view status_when_down,
                              const std::vector<std::pair<std::string, std::string>>& problems) {
    boost::json::object body{{"status", up ? "UP" : status_when_down}};
    if (!problems.empty()) {
        boost::json::object details;
        for (const auto& [what, why] : problems) details[what] = why;
        body["details"] = std::move(details);
    }
    return http::JsonResponse(up ? 200 : 503, body);
}

// An absolute link to `path` as the client reached us, as Spring's actuator gives it.
boost::json::object Link(const http::Request& req, std::string_view path, bool templated = false) {
    boost::json::object link{{"href", http::BaseUrl(req).append(path)}};
    if (templated) link["templated"] = true;
    return link;
}

// Resilience4j's health of one breaker (allowHealthIndicatorToFail=false): an open circuit is
// CIRCUIT_OPEN, not DOWN, so it never takes the service out of rotation.
boost::json::object BreakerHealth(const Dependency& dep) {
    const CircuitBreaker& b = dep.breaker();
    std::string_view status = "UP";
    if (b.state() == CircuitState::kOpen) status = "CIRCUIT_OPEN";
    if (b.state() == CircuitState::kHalfOpen) status = "UNKNOWN";
    auto percent = [](double rate) {
        std::string out = Metrics::FormatValue(rate);
        if (out.find('.') == std::string::npos) out.append(".0");
        out.push_back('%');
        return out;
    };
    const auto& policy = b.policy();
    boost::json::object details{{"state", b.StateName()},
                                {"failureRate", percent(b.FailureRate())},
                                {"failureRateThreshold", percent(policy.failure_rate_threshold)},
                                {"slowCallRate", percent(b.SlowCallRate())},
                                {"slowCallRateThreshold", percent(policy.slow_call_rate_threshold)},
                                {"bufferedCalls", b.BufferedCalls()},
                                {"notPermittedCalls", dep.not_permitted()}};
    return {{"status", status}, {"details", std::move(details)}};
}

// Everything the host reads from the configuration, read in one place before anything opens.
// `reservo serve` validated the whole configuration first (cli/catalog.hpp), so none of these
// reads fails there; a caller that did not validate learns which key is missing or bad.
struct HostSettings {
    EngineSettings engines;   // store.engine, events.engine and theirs (kit/service/engines.hpp)
    bool accept_new = false;  // store.accept-new
    Millis idempotency_retention{};
    std::string topic;         // events.topic
    Millis log_retention{};    // events.retention-ms; 0 keeps forever
    Millis inbox_retention{};  // events.inbox-retention-ms; 0 keeps forever
    http::ServerOptions server;
    bool show_details = true;  // management.endpoint.health.show-details: always (true) | never
    bool access_log = true;    // logging.access: one line per request (the gateway writes its own)
    struct Callee {
        std::string url;
        CallPolicy policy;
    };
    std::map<std::string, Callee> dependencies;  // services.<me>.dependencies.<name>
    std::optional<EventFlows> flows;             // services.<me>.publishes/consumes; nullopt: not listed
};

Result<HostSettings> ReadHostSettings(const Config& cfg, const ServiceModule& module, int port_base) {
    HostSettings s;
    if (module.uses_store) {
        s.engines = RESERVO_TRY(ReadEngineSettings(cfg, module.name));
        s.accept_new = RESERVO_TRY(cfg.RequireBool("store.accept-new"));
        s.idempotency_retention = RESERVO_TRY(cfg.RequireMillis("idempotency.retention-ms"));
    }
    if (module.reads_events && !module.uses_store) s.engines.events = RESERVO_TRY(ReadEventLogSettings(cfg));
    if (module.uses_events || module.reads_events) s.topic = RESERVO_TRY(cfg.RequireString("events.topic"));
    if (module.uses_events) {
        s.log_retention = RESERVO_TRY(cfg.RequireMillis("events.retention-ms"));
        s.inbox_retention = RESERVO_TRY(cfg.RequireMillis("events.inbox-retention-ms"));
    }
    s.server.max_body_bytes = static_cast<size_t>(RESERVO_TRY(cfg.RequireInt(module.max_body_key)));
    s.server.idle_timeout = RESERVO_TRY(cfg.RequireMillis("http.idle-timeout-ms"));
    s.server.max_connections = static_cast<size_t>(RESERVO_TRY(cfg.RequireInt("http.max-connections")));
    const std::string show_details = RESERVO_TRY(cfg.RequireString("management.endpoint.health.show-details"));
    if (show_details != "always" && show_details != "never") {
        return Fail(Code::kInvalidArgument,
                    "management.endpoint.health.show-details: expected always or never, got '" + show_details + "'");
    }
    s.show_details = show_details == "always";
    s.access_log = RESERVO_TRY(cfg.RequireBool("logging.access"));
    const std::string deps = "services." + module.name + ".dependencies";
    for (const std::string& dep : cfg.Children(deps)) {
        const std::string prefix = deps + "." + dep;
        CallPolicy policy = RESERVO_TRY(CallPolicy::FromConfig(cfg, prefix));
        auto own_url = cfg.Find(prefix + ".url");  // else where the system runs it
        std::string url = own_url ? *own_url : RESERVO_TRY(UrlOf(cfg, dep, port_base));
        s.dependencies.emplace(dep, HostSettings::Callee{std::move(url), std::move(policy)});
    }
    s.flows = EventFlowsOf(cfg, module.name);
    return s;
}

}  // namespace

class Host final : public ServiceContext {
  public:
    Host(const Config& cfg, HostSettings settings, const ServiceModule& module, const RunOptions& opts)
        : cfg_(cfg), settings_(std::move(settings)), module_(module), opts_(opts) {}

    const Config& config() const override { return cfg_; }
    const std::string& system() const override { return module_.system; }
    const std::string& name() const override { return module_.name; }
    std::string source() const override { return "/" + module_.system + "/" + module_.name; }
    asio::io_context& io() override { return io_; }
    const LoopWatch* loop_watch() const override { return &watch_; }
    http::Router& router() override { return router_; }
    http::Router& actuator() override { return actuator_; }
    store::Database& db() override { return *db_; }
    Metrics& metrics() override { return metrics_; }

    Status Publish(const messaging::CloudEvent& event) override {
        if (!db_) return Fail(Code::kInternal, "service has no store for an outbox");
        if (settings_.flows && std::find(settings_.flows->publishes.begin(), settings_.flows->publishes.end(),
                                         event.type) == settings_.flows->publishes.end()) {
            return Fail(Code::kInternal, "services." + module_.name + ".publishes does not list " + event.type +
                                             " (the system YAML declares each service's events)");
        }
        Status st;
        if (event.traceparent.empty() && !trace::Current().empty()) {
            messaging::CloudEvent traced = event;  // the event continues the trace of the work causing it
            traced.traceparent = trace::Current();
            st = messaging::Outbox::Add(*db_, traced);
        } else {
            st = messaging::Outbox::Add(*db_, event);
        }
        if (st && !relay_scheduled_) {
            relay_scheduled_ = true;
            asio::post(io_, [this] { RelayNow(); });
        }
        return st;
    }

    void On(std::string type, EventHandler handler) override {
        subscriptions_.insert(type);
        if (!consumer_) return;
        subscribed_ = true;
        consumer_->On(std::move(type),
                      [handler = std::move(handler)](const messaging::CloudEvent& e, store::Database& db) {
                          // The consumer set the event's trace (trace::Current) for the handler.
                          deadline::SetCurrent(std::nullopt);  // an event is nobody's request
                          return handler(e, db);
                      });
    }

    service::Dependency& Dep(const std::string& dep) override {
        auto it = deps_.find(dep);
        if (it != deps_.end()) return *it->second;
        auto declared = settings_.dependencies.find(dep);
        if (declared == settings_.dependencies.end()) {
            // A module declares the dependencies it calls among its settings, so validation names
            // a missing one before the process starts; this is the wiring of one that did not.
            throw std::invalid_argument("services." + module_.name + ".dependencies." + dep +
                                        ": not in the configuration (timeout-ms, bulkhead and circuit-breaker "
                                        "are required for each dependency a service calls)");
        }
        const auto& [url, policy] = declared->second;
        auto inserted =
            deps_.emplace(dep, std::make_unique<service::Dependency>(io_, dep, url, policy, metrics_, &watch_)).first;
        ShowInHealth(*inserted->second);
        return *inserted->second;
    }

    void Every(std::chrono::milliseconds period, std::function<void()> task) override {
        asio::co_spawn(
            io_,
            [this, period, task = std::move(task)]() -> http::Awaitable<void> {
                while (!stopping_) {
                    co_await Sleep(io_, period);
                    if (stopping_) break;
                    trace::SetCurrent(trace::NewTraceparent());  // background work starts its own trace
                    deadline::SetCurrent(std::nullopt);
                    try {
                        if (db_ && db_->Suspends()) {
                            co_await fiber::Run(io_, task);  // its store calls must not hold the loop
                        } else {
                            task();
                        }
                    } catch (...) {  // one failed tick is logged; the next one runs
                        log::Error("periodic task failed", {{"periodMs", period.count()},
                                                            {"error", DescribeException(std::current_exception())}});
                    }
                    trace::SetCurrent({});
                }
            },
            LogFailure("periodic task every " + std::to_string(period.count()) + " ms"));
    }

    messaging::EventLog* event_log() override { return log_.get(); }
    messaging::EventLog* reader_log() override {
        if ((!log_ && !module_.reads_events) || embedded_log_) return log_.get();
        if (!reader_log_) {
            auto log = OpenEventLog(settings_.engines.events, {module_.system, module_.name, opts_.data_dir});
            if (!log) {
                log::Warn("no second event log client for reading", {{"error", log.error().message}});
                return nullptr;
            }
            reader_log_ = std::move(*log);
        }
        return reader_log_.get();
    }
    const std::string& topic() const override { return topic_; }

    void SetProblem(const std::string& component, std::string why) override {
        auto it = problems_.find(component);
        if (why.empty()) {
            if (it == problems_.end()) return;
            log::Info("usable again", {{"component", component}});
            problems_.erase(it);
            return;
        }
        if (it != problems_.end() && it->second == why) return;
        log::Error("unusable; readiness is DOWN", {{"component", component}, {"reason", why}});
        problems_[component] = std::move(why);
    }

    void OnDrain(std::function<void()> hook) override { drain_hooks_.push_back(std::move(hook)); }

    void ShowInHealth(const Dependency& dep) override { breakers_.push_back(&dep); }

    int Run();

  private:
    Status Open();
    Status OpenStore();
    Status CheckStore();
    void WireActuator();
    Status CheckSubscriptions() const;
    std::vector<std::pair<std::string, std::string>> Problems() const;
    // Spring Boot's health components (store, eventLog, consumer, circuitBreakers, ping, ...).
    boost::json::object HealthComponents() const;
    http::Response Health(bool show_components) const;
    http::Response ActuatorIndex(const http::Request& req) const;
    http::Awaitable<http::Response> Handle(http::Request& req);
    http::Awaitable<http::Response> Serve(http::Request& req);
    http::Awaitable<void> EventPump();
    bool WatchLogChanges();
    http::Awaitable<void> Retention();
    void RelayNow();
    void AfterRelay(const Result<int>& moved);
    void CheckConsumer();
    // Runs store work so the loop stays free: on a fiber when the store's calls suspend (PostgreSQL),
    // in place otherwise. Pass a lambda capturing by reference.
    template <class F>
    http::Awaitable<std::invoke_result_t<F&>> OffLoop(F&& fn);
    CounterMetric& Busy(const std::string& what);
    // Runs `attempt` until it does not fail with Unavailable (the store's write lock is busy) or
    // `limit` passes, trying again on a timer: the request waits, the event loop does not.
    template <class Attempt>
    http::Awaitable<std::invoke_result_t<Attempt&>> UntilFree(Attempt attempt, SteadyClock::time_point limit);
    void BeginDrain(std::string_view why);

    Config cfg_;
    HostSettings settings_;
    ServiceModule module_;
    RunOptions opts_;
    asio::io_context io_{1};
    http::Router router_;
    http::Router actuator_;
    Metrics metrics_;
    std::unique_ptr<store::Database> db_;
    std::string store_id_;
    std::string topic_;
    std::unique_ptr<IdempotencyKeys> idempotency_;
    std::unique_ptr<messaging::EventLog> log_;
    messaging::SqliteEventLog* embedded_log_ = nullptr;  // log_ when it is the embedded one (retention is ours)
    std::unique_ptr<messaging::EventLog> reader_log_;    // reader_log() on Kafka
    std::unique_ptr<messaging::OutboxRelay> relay_;
    std::unique_ptr<messaging::Consumer> consumer_;
    std::map<std::string, std::unique_ptr<service::Dependency>> deps_;
    std::vector<const service::Dependency*> breakers_;  // under circuitBreakers in the health
    std::unique_ptr<http::Server> server_;
    // http_server_requests_seconds per (uri, method, status), so a request does no label formatting.
    std::map<std::tuple<std::string, std::string, int>, HistogramMetric*, std::less<>> request_metrics_;
    Faults faults_;
    LoopWatch watch_{io_};
    std::string store_lost_;                       // why this service must not serve: its own state is gone
    std::string event_log_problem_;                // why the event log is unusable right now
    std::map<std::string, std::string> problems_;  // component → why it is unusable (SetProblem)
    CounterMetric* late_requests_ = nullptr;
    std::map<std::string, CounterMetric*> busy_;  // store_busy_total by what was skipped
    int64_t consumer_busy_seen_ = 0;
    bool pump_stopped_ = false;  // the event pump died: readiness stays DOWN
    bool ready_ = false;
    bool stopping_ = false;
    bool relay_scheduled_ = false;
    bool relay_retry_scheduled_ = false;
    bool relay_running_ = false;         // a relay pass is on a fiber
    bool pump_busy_ = false;             // a consumer pass is under way (on a fiber)
    bool log_watched_ = false;           // the event log's change descriptor wakes the pump (no polling)
    bool log_changed_ = false;           // it said so since the pump's last pass
    asio::steady_timer pump_wake_{io_};  // the idle pump's sleep; cancelled to wake it
    bool relay_again_ = false;           // asked for while it was
    int relay_busy_streak_ = 0;          // relay passes in a row that found a lock busy
    bool subscribed_ = false;            // a service that subscribes to nothing runs no consumer
    std::mt19937 rng_{std::random_device{}()};

    std::set<std::string> subscriptions_;  // the event types On() was given, checked against `consumes`

    std::vector<std::function<void()>> drain_hooks_;  // OnDrain: run as the drain begins
};

Status Host::OpenStore() {
    std::vector<store::Migration> all = module_.migrations;
    for (auto m : messaging::Outbox::Migrations()) all.push_back(m);
    for (auto m : messaging::Consumer::Migrations()) all.push_back(m);
    for (auto m : IdempotencyKeys::Migrations()) all.push_back(m);
    for (auto m : kStoreIdentity) all.push_back(m);
    const ServicePlace place{module_.system, module_.name, opts_.data_dir};
    auto open = [&]() -> Status {
        auto db = service::OpenStore(settings_.engines.store, place);
        if (!db) return Fail(db.error());
        db_ = std::move(*db);
        if (auto st = db_->Migrate(all); !st) return st;
        auto id = StoreIdentity(*db_);
        if (!id) return Fail(id.error());
        store_id_ = *id;
        return Ok();
    };
    auto opened = open();
    if (opened || module_.view_version == 0 || !db_ || db_->Files().empty()) return opened;
    // A view's store holds nothing the event log cannot give again: set a damaged one aside.
    const std::vector<std::string> files = db_->Files();
    db_.reset();
    const std::string aside_suffix = ".damaged-" + std::to_string(NowUnixMillis());
    log::Warn("view store unusable; setting it aside and rebuilding",
              {{"store", files.front()}, {"movedTo", files.front() + aside_suffix}, {"error", opened.error().message}});
    for (const auto& file : files) {
        std::error_code ec;
        std::filesystem::rename(file, file + aside_suffix, ec);
    }
    return open();
}

Status Host::Open() {
    std::error_code ec;
    std::filesystem::create_directories(opts_.data_dir, ec);
    if (ec) return Fail(Code::kUnavailable, "cannot create data directory " + opts_.data_dir + ": " + ec.message());
    if (module_.uses_store) {
        if (auto st = OpenStore(); !st) return st;
        idempotency_ = std::make_unique<IdempotencyKeys>(*db_, settings_.idempotency_retention);
    }
    topic_ = settings_.topic;
    if (module_.uses_events && db_) {
        auto log = OpenEventLog(settings_.engines.events, {module_.system, module_.name, opts_.data_dir});
        if (!log) return Fail(log.error());
        log_ = std::move(*log);
        embedded_log_ = dynamic_cast<messaging::SqliteEventLog*>(log_.get());
        relay_ = std::make_unique<messaging::OutboxRelay>(*db_, *log_, topic_);
        consumer_ = std::make_unique<messaging::Consumer>(
            *db_, *log_,
            messaging::ConsumerOptions{
                .group = module_.name, .topic = topic_, .member_id = module_.name + "-" + std::to_string(::getpid())});
        metrics_.Gauge("reservo_outbox_backlog", "Events written but not yet relayed to the event log",
                       {{"topic", topic_}}, [this] { return static_cast<double>(relay_->Backlog()); });
        // kafka_consumergroup_lag's view: per group, topic and owned partition.
        metrics_.Collect("reservo_consumer_lag", "Events in an owned partition not yet applied by the group", "gauge",
                         [this] {
                             std::vector<Sample> out;
                             if (!consumer_) return out;
                             auto lags = consumer_->LagByPartition();
                             if (!lags) return out;  // the log unreachable: no figure rather than a wrong one
                             for (const auto& [partition, lag] : *lags) {
                                 out.push_back({{{"group", consumer_->group()},
                                                 {"partition", std::to_string(partition)},
                                                 {"topic", consumer_->topic()}},
                                                static_cast<double>(lag)});
                             }
                             return out;
                         });
        const Labels group{{"group", module_.name}};
        metrics_.CounterFrom("reservo_consumer_processed_total", "Events applied by this process", group,
                             [this] { return consumer_ ? static_cast<double>(consumer_->processed()) : 0.0; });
        metrics_.CounterFrom("reservo_consumer_duplicates_total", "Redelivered events skipped by the inbox", group,
                             [this] { return consumer_ ? static_cast<double>(consumer_->duplicates()) : 0.0; });
        metrics_.CounterFrom("reservo_dead_letters_total",
                             "Events parked (dead-lettered) by this process after failing", group,
                             [this] { return consumer_ ? static_cast<double>(consumer_->dead_lettered()) : 0.0; });
        metrics_.Collect("reservo_dead_letters", "Events parked in the store, waiting for a replay", "gauge", [this] {
            std::vector<Sample> out;
            if (!consumer_) return out;
            if (auto parked = consumer_->DeadLetterCount()) {
                out.push_back({{{"group", module_.name}}, static_cast<double>(*parked)});
            }
            return out;
        });
        metrics_.Gauge("reservo_consumer_owned_partitions", "Partitions this replica consumes", group,
                       [this] { return consumer_ ? static_cast<double>(consumer_->owned().size()) : 0.0; });
    }
    return Ok();
}

// Whether the store is the one this service ran with against the event log. A view whose store is
// new, or whose projection changed, is rebuilt from the log; any other service with a lost store
// would serve wrong data (ids reused, doses forgotten), so it says so and refuses.
Status Host::CheckStore() {
    auto known = log_->KnownStore(module_.name);
    if (!known) return Fail(known.error());
    const messaging::StoreRecord mine{.store_id = store_id_, .view_version = module_.view_version};
    if (!*known) return log_->AdoptStore(module_.name, mine, topic_, false);
    if ((*known)->store_id == mine.store_id && (*known)->view_version == mine.view_version) return Ok();
    const std::string path = db_->Location();
    if (module_.view_version > 0) {
        const bool same_store = (*known)->store_id == mine.store_id;
        if (same_store) {  // a new projection over old rows: start from nothing
            auto tx = db_->Begin();
            if (!tx) return Fail(tx.error());
            for (const auto& table : ViewTables(*this)) {
                std::string sql = "DELETE FROM " + table;
                if (auto r = db_->Execute(store::Sql{"view_clear", sql}); !r) return Fail(r.error());
            }
            if (auto r = db_->Execute(kForgetInbox, {module_.name}); !r) return Fail(r.error());
            if (auto st = tx->Commit(); !st) return st;
        }
        log::Warn("rebuilding the view from the event log",
                  {{"store", path},
                   {"reason", same_store ? "the view's version changed from " + std::to_string((*known)->view_version) +
                                               " to " + std::to_string(mine.view_version)
                                         : std::string("the store is new (lost or replaced)")}});
        return log_->AdoptStore(module_.name, mine, topic_, true);
    }
    if (settings_.accept_new) {
        log::Warn("continuing with a new store (store.accept-new)", {{"store", path}});
        return log_->AdoptStore(module_.name, mine, topic_, false);
    }
    store_lost_ = "the store " + path + " is not the one " + module_.name +
                  " ran with before (its data was lost or replaced): restore it, or set store.accept-new=true "
                  "(RESERVO_STORE_ACCEPT_NEW=true) to continue with it";
    log::Error("refusing to serve", {{"reason", store_lost_}});
    return Ok();
}

// The handlers the module registered are the ones its `consumes:` declares, no more, no fewer.
Status Host::CheckSubscriptions() const {
    if (!settings_.flows) return Ok();
    const std::set<std::string> declared(settings_.flows->consumes.begin(), settings_.flows->consumes.end());
    std::string problems;
    for (const auto& type : subscriptions_) {
        if (!declared.contains(type)) problems.append(problems.empty() ? "" : "; ").append("handles " + type);
    }
    for (const auto& type : declared) {
        if (!subscriptions_.contains(type))
            problems.append(problems.empty() ? "" : "; ").append("no handler for " + type);
    }
    if (problems.empty()) return Ok();
    return Fail(Code::kInvalidArgument, "services." + module_.name + ".consumes does not match the code (" + problems +
                                            "): the system YAML declares the events each service consumes");
}

std::vector<std::pair<std::string, std::string>> Host::Problems() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!store_lost_.empty()) out.emplace_back("store", store_lost_);
    if (!event_log_problem_.empty()) out.emplace_back("eventLog", event_log_problem_);
    for (const auto& [component, why] : problems_) out.emplace_back(component, why);
    return out;
}

boost::json::object Host::HealthComponents() const {
    boost::json::object components;
    auto component = [&](std::string_view status, boost::json::object details) {
        boost::json::object c{{"status", status}};
        if (!details.empty()) c["details"] = std::move(details);
        return c;
    };
    if (db_) {
        boost::json::object details{{"database", settings_.engines.store.engine}, {"location", db_->Location()}};
        if (!store_lost_.empty()) details["error"] = store_lost_;
        components["store"] = component(store_lost_.empty() ? "UP" : "DOWN", std::move(details));
    }
    if (log_) {
        boost::json::object details{{"engine", settings_.engines.events.engine}, {"topic", topic_}};
        if (!event_log_problem_.empty()) details["error"] = event_log_problem_;
        components["eventLog"] = component(event_log_problem_.empty() ? "UP" : "DOWN", std::move(details));
    }
    if (consumer_) {
        boost::json::array partitions;
        for (int p : consumer_->owned()) partitions.push_back(p);
        components["consumer"] =
            component("UP", {{"group", consumer_->group()}, {"topic", topic_}, {"partitions", std::move(partitions)}});
    }
    for (const auto& [name, why] : problems_) {  // SetProblem: DOWN, with why
        boost::json::object& c = components[name].emplace_object();
        c["status"] = "DOWN";
        c["details"] = boost::json::object{{"error", why}};
        if (name == "consumer" && consumer_) c["details"].as_object()["group"] = consumer_->group();
    }
    if (!breakers_.empty()) {
        // As Spring aggregates them: CIRCUIT_OPEN is no status it orders, so one closed breaker is UP
        // and none at all UNKNOWN; the service's own status never follows it.
        boost::json::object details;
        bool any_up = false;
        for (const Dependency* dep : breakers_) {
            boost::json::object h = BreakerHealth(*dep);
            any_up = any_up || h["status"].as_string() == "UP";
            details[dep->name()] = std::move(h);
        }
        components["circuitBreakers"] = component(any_up ? "UP" : "UNKNOWN", std::move(details));
    }
    const bool ready = ready_ && !stopping_;
    components["livenessState"] = component("UP", {});
    components["readinessState"] = component(ready ? "UP" : "OUT_OF_SERVICE", {});
    components["ping"] = component("UP", {});
    return components;
}

http::Response Host::Health(bool show_components) const {
    auto problems = Problems();
    const bool up = ready_ && !stopping_ && problems.empty();
    boost::json::object body{{"status", up ? "UP" : (problems.empty() ? "OUT_OF_SERVICE" : "DOWN")}};
    if (show_components) {
        boost::json::object components = HealthComponents();
        if (!settings_.show_details) {
            for (auto& [name, c] : components) c.as_object().erase("details");
        }
        body["components"] = std::move(components);
    }
    return http::JsonResponse(up ? 200 : 503, body);
}

http::Response Host::ActuatorIndex(const http::Request& req) const {
    boost::json::object links{{"self", Link(req, "/actuator")},
                              {"health", Link(req, "/actuator/health")},
                              {"health-path", Link(req, "/actuator/health/{*path}", true)},
                              {"info", Link(req, "/actuator/info")},
                              {"prometheus", Link(req, "/actuator/prometheus")}};
    if (!module_.edge) {
        links["deadletters"] = Link(req, "/actuator/deadletters");
        if (opts_.faults_enabled) links["faults"] = Link(req, "/actuator/faults");
    }
    return http::JsonResponse(200, boost::json::object{{"_links", std::move(links)}});
}

void Host::WireActuator() {
    actuator_.Get("/actuator", [this](http::Request& req) { return ActuatorIndex(req); });
    // The overall status is readiness's, as before components were shown: what probes and
    // load balancers see does not change; an open circuit shows in its component only.
    actuator_.Get("/actuator/health", [this](http::Request&) { return Health(true); });
    actuator_.Get("/actuator/health/readiness", [this](http::Request&) {
        auto problems = Problems();
        bool up = ready_ && !stopping_ && problems.empty();
        return HealthResponse(up, problems.empty() ? "OUT_OF_SERVICE" : "DOWN", problems);
    });
    // One component (`/actuator/health/store`), or one breaker (`/actuator/health/circuitBreakers/payment`).
    auto one = [this](http::Request& req) {
        boost::json::object components = HealthComponents();
        auto* found = components.if_contains(req.Param("component"));
        if (found && req.params.contains("instance")) {
            auto* details = found->as_object().if_contains("details");
            found = details ? details->as_object().if_contains(req.Param("instance")) : nullptr;
        }
        if (!found) return http::Problem(404, "Not Found", "no health component " + std::string(req.path.substr(17)));
        boost::json::object c = found->as_object();
        if (!settings_.show_details) c.erase("details");
        const std::string_view status = c["status"].as_string();
        const bool down = status == "DOWN" || status == "OUT_OF_SERVICE";
        return http::JsonResponse(down ? 503 : 200, c);
    };
    actuator_.Get("/actuator/health/{component}", one);
    actuator_.Get("/actuator/health/{component}/{instance}", one);
    // What the readiness probe would answer, for alerts on a process that keeps going in and out.
    metrics_.Gauge("reservo_readiness_up", "1 while /actuator/health/readiness answers UP, else 0", {},
                   [this] { return ready_ && !stopping_ && Problems().empty() ? 1.0 : 0.0; });
    // Alive as long as the loop answers: restarting would not mend a lost store or a broken log.
    actuator_.Get("/actuator/health/liveness", [](http::Request&) { return HealthResponse(true, "", {}); });
    auto prometheus = [this](http::Request&) {
        return http::TextResponse(200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
    };
    actuator_.Get("/actuator/prometheus", prometheus);
    actuator_.Get("/metrics", prometheus);
    actuator_.Get("/actuator/info", [this](http::Request&) {
        boost::json::object app{
            {"name", module_.system + "/" + module_.name}, {"system", module_.system}, {"service", module_.name}};
        boost::json::object build{{"version", build::Version()}, {"commit", build::Commit()}, {"time", build::Time()}};
        boost::json::object process{{"pid", ::getpid()}, {"parentPid", ::getppid()}};
        return http::JsonResponse(
            200,
            boost::json::object{{"app", std::move(app)}, {"build", std::move(build)}, {"process", std::move(process)}});
    });

    if (module_.edge) return;  // nothing that changes the process is reachable from outside
    actuator_.Post("/actuator/faults", [this](http::Request& req) {
        if (!opts_.faults_enabled) {
            return http::Problem(404, "Not Found", "fault injection is off (reservo up --faults, or RESERVO_FAULTS=1)");
        }
        auto obj = json::ParseObject(req.body);
        if (!obj) return http::ProblemFrom(obj.error());
        Faults f{.active = true};
        if (auto* lat = obj->if_contains("latencyMs")) {
            if (!lat->is_array() || lat->as_array().size() != 2) {
                return http::Problem(400, "", "latencyMs: expected [min, max]");
            }
            auto lo = json::ToInt(lat->as_array()[0], "latencyMs[0]");
            auto hi = json::ToInt(lat->as_array()[1], "latencyMs[1]");
            if (!lo) return http::ProblemFrom(lo.error());
            if (!hi) return http::ProblemFrom(hi.error());
            if (*lo < 0 || *hi < *lo || *hi > 60'000)
                return http::Problem(400, "", "latencyMs: 0 <= min <= max <= 60000");
            f.min_ms = static_cast<int>(*lo);
            f.max_ms = static_cast<int>(*hi);
        }
        if (auto* per = obj->if_contains("latencyPer")) {
            if (!per->is_string() || (per->as_string() != "request" && per->as_string() != "idempotencyKey")) {
                return http::Problem(400, "", "latencyPer: \"request\" or \"idempotencyKey\"");
            }
            if (per->as_string() == "idempotencyKey")
                f.latency = service::FaultLatency(service::FaultLatency::Per::kIdempotencyKey);
        }
        if (auto* rate = obj->if_contains("errorRate")) {
            auto r = json::ToDouble(*rate, "errorRate");
            if (!r) return http::ProblemFrom(r.error());
            if (*r < 0 || *r > 1) return http::Problem(400, "", "errorRate: between 0 and 1");
            f.error_rate = *r;
        }
        faults_ = std::move(f);
        log::Warn("fault injection on", {{"latencyMin", faults_.min_ms},
                                         {"latencyMax", faults_.max_ms},
                                         {"latencyPer", LatencyPer(faults_)},
                                         {"errorRate", faults_.error_rate}});
        return http::JsonResponse(200,
                                  boost::json::object{{"latencyMs", boost::json::array{faults_.min_ms, faults_.max_ms}},
                                                      {"latencyPer", LatencyPer(faults_)},
                                                      {"errorRate", faults_.error_rate}});
    });
    // What is injected now, so every link of the index answers a GET.
    actuator_.Get("/actuator/faults", [this](http::Request&) {
        if (!opts_.faults_enabled) {
            return http::Problem(404, "Not Found", "fault injection is off (reservo up --faults, or RESERVO_FAULTS=1)");
        }
        return http::JsonResponse(200,
                                  boost::json::object{{"active", faults_.active},
                                                      {"latencyMs", boost::json::array{faults_.min_ms, faults_.max_ms}},
                                                      {"latencyPer", LatencyPer(faults_)},
                                                      {"errorRate", faults_.error_rate}});
    });
    actuator_.Delete("/actuator/faults", [this](http::Request&) {
        faults_ = {};
        return http::EmptyResponse(204);
    });

    actuator_.Get("/actuator/deadletters", [this](http::Request&) {
        if (!consumer_) return http::JsonResponse(200, boost::json::array{});
        auto list = consumer_->DeadLetters();
        if (!list) return http::ProblemFrom(list.error());
        boost::json::array out;
        for (const auto& d : *list) {
            out.push_back({{"id", d.id},
                           {"eventId", d.event_id},
                           {"type", d.type},
                           {"subject", d.subject},
                           {"error", d.error},
                           {"attempts", d.attempts},
                           {"parkedAt", d.parked_at}});
        }
        return http::JsonResponse(200, out);
    });
    actuator_.Post("/actuator/deadletters/{id}/replay", [this](http::Request& req) {
        auto id = http::ParseId(req.Param("id"));
        if (!id) return http::ProblemFrom(id.error());
        if (!consumer_) return http::Problem(404, "", "no consumer");
        auto r = consumer_->ReplayDeadLetter(*id);
        if (!r) return http::ProblemFrom(r.error());
        return http::JsonResponse(200, boost::json::object{{"replayed", *r}});
    });
}

http::Awaitable<http::Response> Host::Handle(http::Request& req) {
    auto start = SteadyClock::now();
    // The request's trace: its own lines, its access line, and what it calls and publishes carry it.
    auto incoming = req.headers.Find("traceparent");
    const std::string traceparent =
        incoming && trace::IsValid(*incoming) ? std::string(*incoming) : trace::NewTraceparent();
    trace::SetCurrent(traceparent);
    http::Response res;
    std::exception_ptr thrown;  // answered 500 by the server; logged here as such
    bool actuator = req.path.starts_with("/actuator") || req.path == "/metrics";
    if (actuator) {
        res = co_await actuator_.Dispatch(req);
    } else if (!store_lost_.empty()) {
        res = http::Unavailable(store_lost_, 5000);
    } else {
        bool failed = false;
        auto deadline = module_.edge ? std::nullopt : deadline::FromHeader(req.headers.Find(deadline::kHeader));
        if (faults_.active) {
            if (faults_.max_ms > 0) {
                std::uniform_int_distribution<int> d(faults_.min_ms, faults_.max_ms);
                auto now = SteadyClock::now();
                auto until = faults_.latency.Until(req.headers.Find(IdempotencyKeys::kHeader), now, Millis(d(rng_)));
                // Past its deadline a request is answered "nothing was done" below however long it
                // was held, so a hung fault holds it no longer than a second past it: by then the
                // caller, whose deadline it is, has given up (it must see its own timeout, not us).
                if (deadline && *deadline + 1s < until) until = *deadline + 1s;
                if (until > now) co_await Sleep(io_, std::chrono::ceil<Millis>(until - now));
            }
            failed = std::uniform_real_distribution<double>(0, 1)(rng_) < faults_.error_rate;
        }
        // Checked after any suspension above: the request may have outlived its deadline meanwhile,
        // as it may have while queued in the socket of a paused or restarting process.
        if (failed) {
            res = http::Unavailable("injected fault", 1000);
        } else if (deadline && SteadyClock::now() >= *deadline) {
            late_requests_->Inc();
            res = http::Unavailable("the request's deadline passed before it was served; nothing was done", 1000);
        } else {
            // Set again after any suspension above: other requests may have run meanwhile.
            trace::SetCurrent(traceparent);
            deadline::SetCurrent(deadline);
            try {
                res = co_await Serve(req);
            } catch (...) {
                thrown = std::current_exception();
                res = http::EmptyResponse(500);
            }
        }
    }
    const auto took = SteadyClock::now() - start;
    double secs = std::chrono::duration<double>(took).count();
    // Micrometer's `uri`: the route pattern, never the raw path (one series per route, not per id).
    std::string_view uri = req.route;
    if (uri.empty() || uri == "unmatched") {  // no route: Micrometer's words for why
        if (res.status / 100 == 3) {
            uri = "REDIRECTION";
        } else if (res.status == 404) {
            uri = "NOT_FOUND";
        } else {
            uri = "UNKNOWN";  // answered before routing (an injected fault, a lost store)
        }
    }
    // Methods come from clients: anything outside the standard set shares one label.
    static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    std::string_view method = "OTHER";
    for (auto known : kMethods) {
        if (req.method == known) method = known;
    }
    auto series = request_metrics_.find(std::make_tuple(uri, method, res.status));  // no allocation when known
    if (series == request_metrics_.end()) {
        auto* h = &metrics_.Histogram("http_server_requests_seconds", "Duration of HTTP server request handling",
                                      {{"method", std::string(method)},
                                       {"outcome", std::string(HttpOutcome(res.status))},
                                       {"status", std::to_string(res.status)},
                                       {"uri", std::string(uri)}});
        series = request_metrics_.emplace(std::make_tuple(std::string(uri), std::string(method), res.status), h).first;
    }
    series->second->Observe(secs);
    if (settings_.access_log && !module_.edge) {  // the gateway logs what it proxied, with the upstream
        trace::SetCurrent(traceparent);
        LogAccess(req, res, took, req.headers.Find("X-Request-Id").value_or(""));
    }
    trace::SetCurrent({});  // what runs next until it sets its own is nobody's request
    if (thrown) std::rethrow_exception(thrown);
    co_return res;
}

CounterMetric& Host::Busy(const std::string& what) {
    auto& slot = busy_[what];
    if (!slot) {
        slot = &metrics_.Counter("reservo_store_busy_total",
                                 "Steps skipped (and tried again later) because another connection held a write lock",
                                 {{"what", what}});
    }
    return *slot;
}

template <class F>
http::Awaitable<std::invoke_result_t<F&>> Host::OffLoop(F&& fn) {
    if (db_ && db_->Suspends()) co_return co_await fiber::Call(io_, fn);
    co_return fn();
}

template <class Attempt>
http::Awaitable<std::invoke_result_t<Attempt&>> Host::UntilFree(Attempt attempt, SteadyClock::time_point limit) {
    Millis delay = 1ms;
    for (;;) {
        auto result = co_await OffLoop(attempt);
        if (result || result.error().code != Code::kUnavailable) co_return result;
        Busy("idempotency").Inc();
        const auto now = SteadyClock::now();
        if (now >= limit) co_return result;
        co_await Sleep(io_, std::min(delay, std::chrono::ceil<Millis>(limit - now)));
        delay = std::min<Millis>(delay * 2, 50ms);
    }
}

// A creating POST with an Idempotency-Key runs once; a retry gets the first answer.
http::Awaitable<http::Response> Host::Serve(http::Request& req) {
    auto key = req.headers.Find(IdempotencyKeys::kHeader);
    if (req.method != "POST" || !key || !idempotency_) co_return co_await router_.Dispatch(req);
    std::string k(*key);
    if (auto valid = IdempotencyKeys::Validate(k); !valid) co_return http::ProblemFrom(valid.error());
    // Waiting for the store's lock suspends this request: what other requests set meanwhile is
    // this one's again when it resumes.
    const auto deadline = deadline::Current();
    const std::string traceparent = trace::Current();
    auto resume = [&] {
        trace::SetCurrent(traceparent);
        deadline::SetCurrent(deadline);
    };
    auto limit = SteadyClock::now() + kStoreWait;
    if (deadline && *deadline < limit) limit = *deadline;
    const std::string fingerprint = IdempotencyKeys::Fingerprint(req);
    auto begun = co_await UntilFree([&] { return idempotency_->Begin(k, fingerprint); }, limit);
    resume();
    if (!begun) {
        if (begun.error().code == Code::kUnavailable) {
            co_return http::Unavailable("the store is busy; nothing was done, try again", 1000);
        }
        co_return http::ProblemFrom(begun.error());
    }
    if (*begun) co_return std::move(**begun);
    http::Response res;
    std::exception_ptr thrown;
    try {
        res = co_await router_.Dispatch(req);
    } catch (...) {
        thrown = std::current_exception();
        res = http::EmptyResponse(500);  // nothing was answered: release the key
    }
    // The answer exists now: record it even if the request's deadline passed meanwhile.
    auto finished = co_await UntilFree([&] { return idempotency_->Finish(k, res); }, SteadyClock::now() + kStoreWait);
    resume();
    if (!finished) {
        log::Warn("idempotency key not recorded; retries get 409 until it expires",
                  {{"key", k}, {"error", finished.error().message}});
    }
    if (thrown) std::rethrow_exception(thrown);
    co_return res;
}

void Host::RelayNow() {
    relay_scheduled_ = false;
    trace::SetCurrent({});  // the events carry their own traces
    if (!relay_) return;
    if (!db_->Suspends()) {
        AfterRelay(relay_->RelayOnce());
        return;
    }
    // On a fiber: one pass at a time, and one more if asked for meanwhile.
    if (relay_running_) {
        relay_again_ = true;
        return;
    }
    relay_running_ = true;
    asio::co_spawn(
        io_,
        [this]() -> http::Awaitable<void> {
            do {
                relay_again_ = false;
                auto moved = co_await fiber::Call(io_, [this] { return relay_->RelayOnce(); });
                AfterRelay(moved);
            } while (relay_again_ && !stopping_);
            relay_running_ = false;
        },
        LogFailure("outbox relay", [this](const std::string&) { relay_running_ = false; }));
}

void Host::AfterRelay(const Result<int>& moved) {
    if (moved) {
        relay_busy_streak_ = 0;
        return;
    }
    if (moved.error().code != Code::kUnavailable) {
        log::Warn("outbox relay failed; will retry", {{"error", moved.error().message}});
        return;
    }
    // A lock is busy (a replica relaying, another process appending): the rows stay; try again
    // soon rather than at the next tick, as events wait meanwhile, backing off while it stays busy.
    Busy("relay").Inc();
    if (relay_retry_scheduled_ || stopping_) return;
    relay_retry_scheduled_ = true;
    const int ceiling = 2 << std::min(relay_busy_streak_++, 6);  // 2 ms, 4 ms, ... 128 ms
    auto wait = Millis(std::uniform_int_distribution<int>(ceiling / 2, ceiling)(rng_));
    asio::co_spawn(
        io_,
        [this, wait]() -> http::Awaitable<void> {
            co_await Sleep(io_, wait);
            relay_retry_scheduled_ = false;
            if (!stopping_) RelayNow();
        },
        LogFailure("outbox relay retry"));
}

// Turns readiness DOWN while the consumer cannot join its group (the event log's lock busy for
// long, the file unusable), and back UP when it can again.
void Host::CheckConsumer() {
    if (!consumer_ || pump_stopped_) return;
    if (consumer_->SinceHeartbeat() > kConsumerStall) {
        SetProblem("consumer", "cannot join consumer group " + module_.name + " on topic " + topic_ + " for " +
                                   std::to_string(consumer_->SinceHeartbeat().count() / 1000) +
                                   " s: " + consumer_->heartbeat_error());
    } else {
        SetProblem("consumer", "");
    }
}

// Passes over the event log: one after another while events keep coming, then asleep until the
// log changes (its change descriptor: any process's append wakes us at once) or the consumer has
// work due (a heartbeat, a retry after a failure). A log without a change descriptor (Kafka) is
// polled every 2 ms instead, with a pass at least every 100 ms.
http::Awaitable<void> Host::EventPump() {
    log_watched_ = WatchLogChanges();
    int64_t seen_version = -1;
    auto last_pass = SteadyClock::now() - 1h;
    while (!stopping_) {
        trace::SetCurrent({});  // a pass is nobody's request; each event brings its own trace
        int64_t version = log_->Version();
        auto now = SteadyClock::now();
        const bool due = log_watched_ ? consumer_->UntilNextPass() == 0ms : now - last_pass > 100ms;
        if (log_changed_ || version != seen_version || due) {
            log_changed_ = false;
            seen_version = version;
            last_pass = now;
            pump_busy_ = true;
            auto n = co_await OffLoop([this] { return consumer_->PollOnce(); });
            pump_busy_ = false;
            Busy("consumer").Inc(static_cast<double>(consumer_->busy() - consumer_busy_seen_));
            consumer_busy_seen_ = consumer_->busy();
            if (!n && n.error().code != Code::kUnavailable) {
                log::Warn("consumer pass failed", {{"error", n.error().message}});
            }
            if (n && *n > 0) {
                // More may be waiting, but let requests and timers run between passes.
                co_await asio::post(io_, asio::as_tuple(asio::use_awaitable));
                continue;
            }
        }
        if (!log_watched_) {
            co_await Sleep(io_, 2ms);
        } else if (!log_changed_ && !stopping_) {  // a change seen during the pass: another pass now
            pump_wake_.expires_after(std::clamp<Millis>(consumer_->UntilNextPass(), 1ms, 1s));
            co_await pump_wake_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

// Wakes the event pump whenever the log's change descriptor says the log was written. False when
// the log has none.
bool Host::WatchLogChanges() {
    const int fd = log_->ChangeFd();
    if (fd < 0) return false;
    const int own = ::dup(fd);  // the asio descriptor closes its copy; the log keeps reading its own
    if (own < 0) return false;
    asio::co_spawn(
        io_,
        [this, own]() -> http::Awaitable<void> {
            asio::posix::stream_descriptor changes(io_, own);
            while (!stopping_) {
                auto [ec] = co_await changes.async_wait(asio::posix::stream_descriptor::wait_read,
                                                        asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    log::Warn("event log watch failed; consumers poll it", {{"error", ec.message()}});
                    break;
                }
                if (log_->TakeChanges()) {
                    log_changed_ = true;
                    pump_wake_.cancel();
                }
            }
            log_watched_ = false;  // back to polling
            pump_wake_.cancel();
        },
        LogFailure("event log watch"));
    return true;
}

// Deletes what outlived its retention: the event log's records (events.retention-ms) and this
// store's inbox rows (events.inbox-retention-ms), in small batches that each take a free lock
// only. Every process of the system prunes the shared log; the work is the same whoever does it.
http::Awaitable<void> Host::Retention() {
    const int64_t log_retention = settings_.log_retention.count();
    const int64_t inbox_retention = settings_.inbox_retention.count();
    if (log_retention <= 0 && inbox_retention <= 0) co_return;  // 0: keep forever
    if (inbox_retention > 0 && (log_retention <= 0 || inbox_retention < log_retention)) {
        log::Warn(
            "the inbox is kept for less time than the event log: an older event delivered again "
            "(an offset reset) would be applied again",
            {{"events.retention-ms", log_retention}, {"events.inbox-retention-ms", inbox_retention}});
    }
    // Replicas started together should not prune together.
    auto wait = Millis(std::uniform_int_distribution<int>(5'000, 15'000)(rng_));
    while (!stopping_) {
        co_await Sleep(io_, wait);
        if (stopping_) break;
        trace::SetCurrent({});
        bool more = false;
        if (log_retention > 0 && embedded_log_) {  // Kafka deletes by its topics' retention.ms
            auto pruned = embedded_log_->DeleteExpired(log_retention, kRetentionBatch);
            if (pruned.busy > 0) Busy("retention").Inc(pruned.busy);
            if (pruned.deleted > 0) log::Debug("event log pruned", {{"records", pruned.deleted}});
            more = more || pruned.more;
        }
        if (inbox_retention > 0) {
            auto pruned = co_await OffLoop([&] {
                return messaging::Consumer::PruneInbox(*db_, NowUnixMillis() - inbox_retention, kRetentionBatch);
            });
            if (pruned.busy > 0) Busy("retention").Inc(pruned.busy);
            more = more || pruned.more;
        }
        wait = more ? 1s : kRetentionPeriod;  // a backlog goes in small steps, a second apart
    }
}

void Host::BeginDrain(std::string_view why) {
    if (stopping_) return;
    trace::SetCurrent({});
    const auto drain_start = SteadyClock::now();
    log::Info("drain started", {{"reason", why},
                                {"connections", server_ ? server_->connections() : 0},
                                {"inFlight", server_ ? server_->in_flight() : 0}});
    stopping_ = true;
    for (auto& hook : drain_hooks_) hook();
    auto finish = [this, drain_start] {
        asio::co_spawn(
            io_,
            [this, drain_start]() -> http::Awaitable<void> {
                // Passes on fibers end first (a consumer is not closed under its own pass), then the
                // last relay pass sends what the last requests stored.
                while (relay_running_ || pump_busy_) co_await Sleep(io_, 2ms);
                int64_t unrelayed = 0;  // events stored but not in the event log: relayed at the next start
                if (relay_) {
                    auto moved = co_await OffLoop([this] { return relay_->RelayOnce(); });
                    AfterRelay(moved);
                    unrelayed = co_await OffLoop([this] { return relay_->Backlog(); });
                }
                if (consumer_) consumer_->Close();
                trace::SetCurrent({});
                log::Info("drain finished", {{"durationMs", log::DurationMs(SteadyClock::now() - drain_start)},
                                             {"outboxBacklog", unrelayed}});
                io_.stop();
            },
            LogFailure("drain", [this](const std::string&) { io_.stop(); }));
    };
    if (server_) {
        server_->Drain(finish);
    } else {
        asio::post(io_, finish);
    }
    // A connection that never finishes must not keep the process alive.
    asio::co_spawn(
        io_,
        [this, drain_start]() -> http::Awaitable<void> {
            co_await Sleep(io_, 10s);
            trace::SetCurrent({});
            log::Warn("drain deadline passed; exiting",
                      {{"durationMs", log::DurationMs(SteadyClock::now() - drain_start)},
                       {"connections", server_ ? server_->connections() : 0},
                       {"inFlight", server_ ? server_->in_flight() : 0},
                       {"relayRunning", relay_running_},
                       {"consumerPassRunning", pump_busy_}});
            io_.stop();
        },
        LogFailure("drain deadline", [this](const std::string&) { io_.stop(); }));
}

int Host::Run() {
    if (auto st = Open(); !st) {
        log::Error("cannot start", {{"error", st.error().message}});
        return 1;
    }
    if (module_.edge) opts_.faults_enabled = false;
    late_requests_ = &metrics_.Counter("reservo_http_server_late_requests_total",
                                       "Requests refused because their deadline had passed before they were served");
    WireActuator();
    router_.Extension("service.name") = module_.system + "/" + module_.name;  // the title of its API document
    if (db_ && db_->Suspends()) {
        // Handlers are synchronous; their store calls wait for the server on a fiber, not on the loop.
        const http::SyncRunner on_fiber = [this](const http::Handler& handler,
                                                 http::Request& req) -> http::Awaitable<http::Response> {
            co_return co_await fiber::Call(io_, [&] { return handler(req); });
        };
        router_.RunSyncWith(on_fiber);
        actuator_.RunSyncWith(on_fiber);
    }
    if (module_.wire) {
        Status wired;
        try {
            wired = module_.wire(*this);
        } catch (const std::exception& e) {  // Dep() of a dependency the configuration lacks
            wired = Fail(Code::kInvalidArgument, e.what());
        }
        if (wired) wired = CheckSubscriptions();
        if (!wired) {
            log::Error("cannot wire service", {{"error", wired.error().message}});
            return 1;
        }
    }
    if (log_) {
        if (auto st = CheckStore(); !st) {
            log::Error("cannot start", {{"error", st.error().message}});
            return 1;
        }
    }
    http::RaiseDescriptorLimit();  // process_max_fds shows the limit
    server_ = std::make_unique<http::Server>(
        io_, [this](http::Request& req) { return Handle(req); }, settings_.server);
    auto listening = opts_.listen_fd >= 0 ? server_->Adopt(opts_.listen_fd) : server_->Listen(opts_.port);
    if (!listening) {
        log::Error("cannot listen", {{"error", listening.error().message}});
        return 1;
    }
    AddProcessMetrics(metrics_);
    metrics_.Gauge("reservo_http_server_connections", "Open client connections", {},
                   [this] { return static_cast<double>(server_->connections()); });
    metrics_.Gauge("reservo_http_server_connection_limit", "Open connections at most (the oldest idle one makes room)",
                   {}, [this] { return static_cast<double>(server_->max_connections()); });
    metrics_.CounterFrom("reservo_http_server_connections_closed_at_limit_total",
                         "Connections closed to stay under the limit", {},
                         [this] { return static_cast<double>(server_->connections_closed_at_cap()); });
    asio::signal_set signals(io_, SIGTERM, SIGINT);
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (!ec) BeginDrain(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    });
    if (consumer_ && !subscribed_) consumer_.reset();  // nothing to consume: no polling, no offsets
    if (consumer_) {
        // A pump that dies leaves events unapplied: stop taking traffic and say why.
        asio::co_spawn(io_, EventPump(), LogFailure("event pump", [this](const std::string& why) {
                           pump_stopped_ = true;
                           SetProblem("consumer", "the consumer loop stopped: " + why);
                       }));
        Busy("consumer");  // listed from the start, not only after a first busy pass
    }
    // Each commit that stored events relays them at once; this pass only picks up what that missed
    // (a replica stopped between its commit and its relay, a pass that failed).
    if (relay_) Every(1s, [this] { RelayNow(); });
    if (log_) {
        Every(1s, [this] {
            auto st = log_->Check();
            std::string problem = st ? std::string() : st.error().message;
            if (problem != event_log_problem_) {
                if (problem.empty()) {
                    log::Info("event log usable again");
                } else {
                    log::Error("event log unusable; readiness is DOWN", {{"error", problem}});
                }
                event_log_problem_ = std::move(problem);
            }
            CheckConsumer();
        });
        asio::co_spawn(io_, Retention(), LogFailure("retention"));
    }
    if (relay_) Busy("relay");
    if (idempotency_) {
        Busy("idempotency");
        Every(60s, [this] {
            auto pruned = idempotency_->Prune();
            if (!pruned && pruned.error().code == Code::kUnavailable) {
                Busy("retention").Inc();  // the next tick tries again
            } else if (!pruned) {
                log::Warn("idempotency keys not pruned", {{"error", pruned.error().message}});
            }
        });
    }
    watch_.Start();
    ready_ = true;
    // Tell a supervising `reservo up` that this very process is ready (exact even when replicas share the port).
    if (const char* fd = std::getenv("RESERVO_READY_FD")) {
        int ready_fd = std::atoi(fd);
        if (ready_fd > 2) {
            [[maybe_unused]] auto n = ::write(ready_fd, "ready\n", 6);
            ::close(ready_fd);
        }
    }
    log::Info("ready", {{"port", server_->port()}});  // every record carries the pid
    // A loop turn's lines (access lines above all) go out in one write at the end of the turn.
    log::SetFlusher([this] { asio::post(io_, [] { log::Flush(); }); });
    io_.run();
    log::SetFlusher({});  // writes what the last turn held
    log::Info("stopped");
    return 0;
}

int RunService(const Config& system, const ServiceModule& module, const RunOptions& options) {
    auto settings = ReadHostSettings(system, module, options.port_base);
    if (!settings) {
        log::Error("invalid configuration", {{"error", settings.error().message}});
        return 2;
    }
    Host host(system, std::move(*settings), module, options);
    return host.Run();
}

}  // namespace reservo::service
