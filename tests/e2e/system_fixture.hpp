// End-to-end test support for any Reservo system: a whole `reservo up SYSTEM` (or one `reservo
// serve SYSTEM/SERVICE`) on free ports of this test binary's own port block, HTTP helpers over the
// project's own client, service control by name, polling with a deadline, and a background load.
//
//   class HotelE2E : public reservo::e2e::SystemTest {
//     protected:
//       static void SetUpTestSuite() { StartSystem({.system = "hotel"}); }
//   };
//   TEST_F(HotelE2E, PaymentDownRefusesReservations) {
//       StopService("payment");
//       EXPECT_EQ(Call("POST", "/reservations", R"({"roomId":1,...})").status, 503);
//       StartService("payment");
//       EXPECT_TRUE(Eventually([&] { return TotalElements("/reservationViews") == 0; }));
//   }
//
// One system runs per test suite (started by the suite's SetUpTestSuite, stopped in
// TearDownTestSuite); SetUp brings it back to its normal shape (every service running, one
// replica, no faults), so tests share it but do not depend on each other's leftovers. Ports come
// from the running system (`reservo status --json`); nothing here knows a system's services.
// Vaccine-specific helpers live in tests/e2e/vaccine_helpers.hpp; the tally of a load's answers
// (LoadTally) in tests/e2e/load_tally.hpp.
//
// Port blocks: each test binary registered with reservo_e2e_test() (tests/CMakeLists.txt) gets
// its own block of ports through E2E_PORT_BLOCK, so `ctest -j` runs binaries side by side.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "kit/http/client.hpp"
#include "kit/http/message.hpp"
#include "kit/store/local_postgres.hpp"

namespace reservo::e2e {

namespace bj = boost::json;
using Millis = std::chrono::milliseconds;
template <class T>
using Awaitable = http::Awaitable<T>;
using Env = std::vector<std::pair<std::string, std::string>>;

// The `reservo` binary under test and the source tree (for systems/*/system.yaml and contracts).
std::string ReservoBinary();
std::string SourceDir();

// One HTTP exchange as the test saw it; status 0 is a transport failure (see `error`).
struct Reply {
    int status = 0;
    std::string error;
    http::Headers headers;
    std::string body;
    Millis elapsed{0};

    // The body parsed as JSON, or null when it is not JSON.
    bj::value Json() const;
    std::string Header(std::string_view name) const;
    // "status 503 in 12 ms: {...}" for failure messages.
    std::string Describe() const;
};

// HTTP calls on a private io_context: blocking one at a time, or many coroutines at once.
class Http final {
  public:
    Http() = default;
    Http(const Http&) = delete;
    Http& operator=(const Http&) = delete;

    boost::asio::io_context& io() { return io_; }
    // A pooled keep-alive client for 127.0.0.1:port, shared by every call on this Http.
    http::Client& ClientFor(int port);

    // Sends one request; a non-empty body goes as application/json.
    Awaitable<Reply> Send(http::Client& client, std::string method, std::string target, std::string body = {},
                          Millis timeout = Millis(10000));
    Awaitable<Reply> Send(int port, std::string method, std::string target, std::string body = {},
                          Millis timeout = Millis(10000));

    // Sends a request the caller built (its own headers).
    Awaitable<Reply> Send(http::Client& client, http::Request req, Millis timeout = Millis(10000));

    // Blocking forms of Send.
    Reply Call(int port, http::Request req, Millis timeout = Millis(10000));
    Reply Call(http::Client& client, http::Request req, Millis timeout = Millis(10000));
    Reply Call(http::Client& client, std::string method, std::string target, std::string body = {},
               Millis timeout = Millis(10000));
    Reply Call(int port, std::string method, std::string target, std::string body = {}, Millis timeout = Millis(10000));

    // Runs body(0) … body(count-1) concurrently and returns once all of them finished.
    void RunConcurrently(int count, const std::function<Awaitable<void>(int)>& body);

  private:
    void RunUntil(const bool& done);

    boost::asio::io_context io_;
    std::map<int, std::unique_ptr<http::Client>> clients_;
};

// Workers that repeat `step` on their own thread and io_context until Stop().
class LoadLoop final {
  public:
    using Step = std::function<Awaitable<void>(Http& http, int worker)>;

    // `pause` between two steps of a worker keeps the load light.
    LoadLoop(int workers, Step step, Millis pause);
    ~LoadLoop();
    LoadLoop(const LoadLoop&) = delete;
    LoadLoop& operator=(const LoadLoop&) = delete;

    // Stops the workers after their current step and joins the thread; idempotent.
    void Stop();
    // Steps completed so far, over all workers.
    int64_t iterations() const { return iterations_.load(); }
    // Waits until the workers completed `steps` more steps and `at_least` passed, both counted
    // from this call (a load running a while before, or after, a crash); false after `timeout`.
    bool WaitSteps(int64_t steps, Millis at_least = Millis(0), Millis timeout = Millis(20000)) const;

  private:
    std::atomic<bool> stop_{false};
    std::atomic<int64_t> iterations_{0};
    std::thread thread_;
};

// The first of `width` (at most 10) consecutive free ports in this binary's port block
// (E2E_PORT_BLOCK, 500 ports; unset: a random free range in 30000–31990), not handed out
// before by this process; 0 when none is free.
int ReservePorts(int width);

// The output of a finished `reservo` command.
struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Runs argv (argv[0] a path) with `env` added to this process's environment; collects stdout and
// stderr until it exits or `timeout` passes (then it is killed).
RunResult Run(const std::vector<std::string>& argv, const Env& env = {}, Millis timeout = Millis(60000));

// The engines the suites run on: E2E_ENGINES ("kafka,postgres", "postgres", ...; empty: the
// embedded ones), passed to `reservo up --engines`. With kafka, each system gets its own
// `reservo kafka-dev` (librdkafka's mock cluster, 3 brokers) for its lifetime.
std::string EnginesUnderTest();
bool OnKafka();
bool OnPostgres();

// `reservo kafka-dev` as a child: the mock cluster's brokers, which it can take down and up.
class KafkaDev final {
  public:
    static std::unique_ptr<KafkaDev> Start(std::string* error);
    ~KafkaDev();
    KafkaDev(const KafkaDev&) = delete;
    KafkaDev& operator=(const KafkaDev&) = delete;
    const std::string& brokers() const { return brokers_; }
    // Every broker stops answering (true) or answers again (false).
    bool SetDown(bool down);

  private:
    KafkaDev() = default;
    pid_t pid_ = -1;
    int in_ = -1;   // its stdin: "down" / "up"
    int out_ = -1;  // its stdout
    std::string brokers_;
};

// How to start a system.
struct SystemOptions {
    std::string system;  // "vaccine", "hotel", "vaccine-approval", ...
    int port_base = 0;   // the gateway's port, services follow; 0: a free range of this binary's block
    Env env;             // added to the environment of `up`, so of every process (as a ConfigMap)
    std::vector<std::string> up_args = {"--faults"};  // extra `reservo up` arguments
};

// A running `reservo up SYSTEM --detach` in its own temporary data directory.
class System final {
  public:
    using RunResult = e2e::RunResult;

    // Starts the system and waits until every process is ready; nullptr and `error` on failure.
    // Without a port base it tries other free ranges when a port was taken meanwhile.
    static std::unique_ptr<System> Start(const SystemOptions& options, std::string* error);
    ~System();
    System(const System&) = delete;
    System& operator=(const System&) = delete;

    const std::string& name() const { return name_; }
    const std::string& data_dir() const { return data_dir_; }
    int port_base() const { return port_base_; }
    int gateway_port() const { return port_base_; }
    // The services (not the gateway) in port order, as the running system lists them.
    const std::vector<std::string>& services() const { return services_; }
    // The port of "gateway" or a service; -1 for a name the system does not have.
    int PortOf(std::string_view process) const;
    // "SYSTEM/SERVICE", as the `reservo` commands name a service.
    std::string Target(std::string_view service) const { return name_ + "/" + std::string(service); }
    // events.partitions of the system's YAML (environment overrides included).
    int partitions() const { return partitions_; }

    // Runs `reservo ARGS... --data DIR` and waits for it (bounded by `timeout`).
    RunResult Reservo(std::vector<std::string> args, Millis timeout = Millis(60000)) const;
    // `reservo stop|start|restart|scale SYSTEM/SERVICE`; each returns once the command is done.
    RunResult StopService(std::string_view service) const;
    RunResult StartService(std::string_view service) const;
    RunResult RestartService(std::string_view service) const;
    RunResult ScaleService(std::string_view service, int replicas) const;
    // Sends `signal` to every process of the service (SIGKILL: a crash); the pids signalled.
    std::vector<pid_t> KillService(std::string_view service, int signal = SIGKILL) const;
    // Whether the service runs again, ready, on processes none of which is in `old`.
    bool WaitReplaced(std::string_view service, const std::vector<pid_t>& old, Millis timeout = Millis(15000)) const;

    // `reservo status --json`, parsed; an empty object when it fails.
    bj::object Status() const;
    // The entry of one process in Status() (empty when absent).
    bj::object ServiceStatus(std::string_view service) const;
    std::vector<pid_t> Pids(std::string_view service) const;
    // Every process ready with all its replicas; otherwise `why` says which is not.
    bool AllReady(std::string* why = nullptr) const;

    // The CloudEvents of `type` about `subject` on the system's topic, read as an operator would (the
    // embedded log's file, or the Kafka topic with kcat), structured: attributes, extensions and
    // `data`, whatever the log's own encoding.
    std::vector<bj::object> Events(std::string_view type, std::string_view subject) const;
    // The mock Kafka cluster the system's events go to (E2E_ENGINES with kafka), else nullptr.
    KafkaDev* kafka() const { return kafka_.get(); }
    // Stops (false) or starts again (true) the PostgreSQL server `up` started in the data directory.
    bool SetPostgresUp(bool up) const;
    // Pauses (SIGSTOP) or resumes (SIGCONT) that server and its backends: connected, but silent.
    bool PausePostgres(bool paused) const;

    // Prints the tail of every log, for a failed test.
    void DumpLogs(size_t lines = 12) const;
    // `reservo down`, then SIGKILL whatever of ours is left; removes the data directory.
    void Down();

  private:
    System(std::string name, std::string data_dir, int port_base);
    bool ReadTopology(std::string* why);

    std::string name_;
    std::string data_dir_;
    int port_base_ = 0;
    int partitions_ = 0;
    std::string topic_;  // events.topic
    std::vector<std::string> services_;
    std::map<std::string, int, std::less<>> ports_;  // gateway and services
    bool down_ = false;
    std::unique_ptr<KafkaDev> kafka_;
};

// How to run one service on its own, as a container does.
struct ServeOptions {
    std::string target;                  // "vaccine/vaccine-mgmt"
    int port = 0;                        // 0: a free port of this binary's block
    Env env;                             // added to its environment (dependency URLs, faults, ...)
    std::vector<std::string> args = {};  // extra `reservo serve` arguments (--port-base, --config)
};

// One `reservo serve SYSTEM/SERVICE --port P --data TMP` in the foreground of a child process,
// in a fresh temporary data directory that goes with it.
class ServedService final {
  public:
    // Starts it and waits until /actuator/health/readiness answers 200; nullptr and `error` on failure.
    static std::unique_ptr<ServedService> Start(const ServeOptions& options, std::string* error,
                                                Millis ready_timeout = Millis(20000));
    ~ServedService();  // SIGTERM, SIGKILL after a while; removes the data directory
    ServedService(const ServedService&) = delete;
    ServedService& operator=(const ServedService&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& data_dir() const { return data_dir_; }
    // The last lines of its stdout and stderr.
    std::string LogTail(size_t lines = 20) const;

  private:
    ServedService() = default;
    void Stop();

    pid_t pid_ = -1;
    int port_ = 0;
    std::string data_dir_;
    std::optional<store::LocalPostgres> postgres_;  // a service on PostgreSQL without a URL: one of its own
};

// Polls `probe` every `interval` until it returns true or `timeout` passes; the last result.
bool Eventually(const std::function<bool()>& probe, Millis timeout = Millis(10000), Millis interval = Millis(50));

// The value of a Prometheus sample `name{labels}` (exact text before the value), if present.
std::optional<double> Metric(std::string_view prometheus_text, std::string_view series);
// The sum of every series of `name` whose labels include each of `labels` (`group="mypage"`):
// consumer lag over partitions, say. nullopt when no series matches.
std::optional<double> MetricSum(std::string_view prometheus_text, std::string_view name,
                                std::initializer_list<std::string_view> labels = {});

// Sends raw request bytes to 127.0.0.1:port and reads the answer while still writing, as curl
// does, so an early answer (a 413 before the body is through) is seen even if the server then
// resets the connection. Handles Content-Length bodies only. `from`: the IPv4 address to send
// from ("127.0.0.2": a client other than the test's own loopback address); empty: the kernel's choice.
Reply RawExchange(int port, const std::string& request, Millis timeout = Millis(10000), const std::string& from = {});

// Systems with an `oauth` service: the demo accounts their YAML ships.
inline constexpr std::string_view kDemoClient = "reservo-web:reservo-web-secret";  // id:secret
inline constexpr std::string_view kDemoUser = "owner";
inline constexpr std::string_view kDemoPassword = "owner-pass";

// The bearer token every request the fixture builds itself carries (Call, Send with a method and
// target, ListAll, LoadLoop steps); empty: none. StartSystem sets it, for a system with an `oauth`
// service, to a token of the demo user with every scope. A request built by the test keeps its own.
void SetDefaultBearer(std::string token);
const std::string& DefaultBearer();
// POST /oauth/token through the gateway with `form` (urlencoded) and HTTP Basic `client`
// ("id:secret"; empty: no Authorization header).
Reply RequestToken(int gateway_port, const std::string& form, const std::string& client = std::string(kDemoClient));
// A password-grant token of the demo user (with `scope`, or every scope it may have); empty on failure.
std::string UserToken(int gateway_port, const std::string& scope = {});

// Reads a JSON number that may be an integer or a double (or a numeric string).
int64_t AsInt(const bj::value& v);
std::string AsString(const bj::value& v);
// One field of a row: Str as text ("" when absent or null), Int as a number (-1 when absent or null).
std::string Str(const bj::object& row, std::string_view key);
int64_t Int(const bj::object& row, std::string_view key);

// The consumer-group metric `reservo_NAME{group="GROUP",...}` of one process's Prometheus text,
// summed over its other labels ("consumer_lag" over partitions, "dead_letters_total"); -1 when absent.
double GroupMetric(std::string_view prometheus_text, std::string_view name, std::string_view group);

// A JSON object (as text, like a good request body) with one field set, or without it: the
// bad-input cases of a suite, `JsonWith(good, "peopleQty", -1)`, `JsonWithout(good, "roomId")`.
std::string JsonWith(const std::string& object, std::string_view key, bj::value value);
std::string JsonWithout(const std::string& object, std::string_view key);

// A 503 of a circuit breaker's fallback or a dependency down: problem+json with Retry-After.
// `what` names the request in the failure messages.
void ExpectUnavailable(const Reply& r, const std::string& what);

// A test fixture with one shared system per test suite and helpers for any system's REST API.
// A calendar date `days` from today (UTC, as the services count days), YYYY-MM-DD.
std::string DaysFromToday(int days);

// A suite starts its system in its own SetUpTestSuite with StartSystem (see the file comment).
class SystemTest : public ::testing::Test {
  protected:
    // Starts the suite's system (fails the suite when it does not start).
    static void StartSystem(SystemOptions options);
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    static System& system() { return *system_; }
    int gateway() const { return system_->gateway_port(); }
    int PortOf(std::string_view process) const { return system_->PortOf(process); }

    // Blocking call through the gateway.
    Reply Call(std::string method, std::string target, std::string body = {}, Millis timeout = Millis(10000));
    // Blocking call straight to a service's port (internal endpoints, actuator).
    Reply CallService(std::string_view service, std::string method, std::string target, std::string body = {},
                      Millis timeout = Millis(10000));
    // A name no other test (or run) uses: "<prefix>-<test>-<random>".
    std::string UniqueName(std::string_view prefix) const;

    // Every row of a Spring Data REST collection through the gateway, all pages. The embedded
    // name defaults to the path's last segment ("/reservations" → "reservations").
    std::vector<bj::object> ListAll(std::string_view path, std::string_view embedded_name = {});
    // The same from any port, without failing the test: nullopt when a page does not answer 200
    // (for probes polled while services come back).
    std::optional<std::vector<bj::object>> TryListAll(int port, std::string_view path,
                                                      std::string_view embedded_name = {});
    // page.totalElements of a collection (-1 when the call fails); through the gateway, or from
    // any port (a service's internal collection).
    int64_t TotalElements(std::string_view path);
    int64_t TotalElements(int port, std::string_view path);
    // Rows of a collection whose `field` equals `value` (compared as text).
    std::vector<bj::object> RowsWhere(std::string_view path, std::string_view field, std::string_view value);
    // Rows of a collection found by its Spring Data finder on one field, through the gateway, all
    // pages: ListBy("payments", "reservationId", 7) lists /payments/search/findByReservationId?reservationId=7.
    std::vector<bj::object> ListBy(std::string_view collection, std::string_view field, std::string_view value);
    std::vector<bj::object> ListBy(std::string_view collection, std::string_view field, int64_t value);
    // GET through the gateway: the body when it answers 200 with an object, else an empty object.
    bj::object Get(const std::string& path);
    // One field of Get(path) as text ("" when absent).
    std::string Field(const std::string& path, std::string_view field);
    // POST through the gateway expecting 201 (fails the test otherwise): the new row's id, or -1.
    int64_t Create(const std::string& path, const std::string& body);

    // GET /actuator/prometheus straight on a service's port.
    std::string Metrics(std::string_view service);
    std::optional<double> ServiceMetric(std::string_view service, std::string_view series);
    std::optional<double> ServiceMetricSum(std::string_view service, std::string_view name,
                                           std::initializer_list<std::string_view> labels = {});
    // Whether a service's consumer has applied everything in its partitions (lag 0, owning all).
    bool ConsumerCaughtUp(std::string_view service);
    // Whether the producer's outbox is relayed (backlog 0) and the consumer caught up with it.
    bool Settled(std::string_view producer, std::string_view consumer);
    // The same for a whole system: every producer's outbox relayed, every consumer caught up. A
    // suite names its own: `bool AllSettled() { return SystemTest::AllSettled({"a", "b"}, {"b", "c"}); }`.
    bool AllSettled(std::initializer_list<std::string_view> producers,
                    std::initializer_list<std::string_view> consumers);

    // A rolling restart under `load`: once the load ran 20 steps and a second, `reservo restart`s
    // the service (one process), lets the load run 40 steps and a second more, and stops it. Expects
    // the process replaced and load steps during the restart; the steps during it, or -1 when the
    // restart could not be tried (the test failed already).
    int64_t RollingRestart(std::string_view service, LoadLoop& load);

    // No service of the system (one process each) parked an event it could not apply.
    void ExpectNoDeadLetters();

    // The replicas of a scaled service, each read over a connection of its own (the shared port
    // hands every new connection to either): pid → its /actuator/prometheus text. At most `want`
    // replicas, from at most `tries` connections; fewer when not all of them were reached.
    std::map<int64_t, std::string> ReplicaMetrics(std::string_view service, size_t want = 2, int tries = 40);
    // Whether `replicas` (as ReplicaMetrics read them) are `want` processes of the consumer group
    // that split its partitions: each owns some, together all, none lagging.
    bool ReplicasSplit(const std::map<int64_t, std::string>& replicas, std::string_view group, size_t want = 2) const;

    // Service control by name; each expects the command to succeed.
    void StopService(std::string_view service);
    void StartService(std::string_view service);
    void RestartService(std::string_view service);
    void ScaleService(std::string_view service, int replicas);
    // Runs `reservo ARGS...` against the system and expects success.
    void ReservoOk(std::vector<std::string> args);

    Http http_;

  private:
    static std::unique_ptr<System> system_;
};

}  // namespace reservo::e2e
