// End-to-end test support: a whole `reservo up vaccine` on a free port range, HTTP helpers
// over the project's own client, polling with a deadline, and a background load loop.
//
//   class FlowE2E : public reservo::e2e::SystemTest {};
//   TEST_F(FlowE2E, Reserves) {
//       int64_t lot = CreateLot(UniqueName("h"), 5);
//       Reply r = Call("POST", "/reservations", R"({"userId":1,"vaccineId":)" + std::to_string(lot) + "}");
//       EXPECT_EQ(r.status, 201);
//       EXPECT_TRUE(Eventually([&] { return MyPageRows(hospital).size() == 1; }));
//   }
//
// One system runs per test binary (started in SetUpTestSuite, stopped in TearDownTestSuite);
// SetUp brings it back to its normal shape (every service running, one replica, no faults),
// so tests share it but do not depend on each other's leftovers. Tests tell their data apart
// by a unique hospital per lot.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
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

namespace reservo::e2e {

namespace bj = boost::json;
using Millis = std::chrono::milliseconds;
template <class T>
using Awaitable = http::Awaitable<T>;

// The service names of the vaccine system, in port order after the gateway.
// events.partitions in systems/vaccine/system.yaml.
inline constexpr int kPartitions = 4;

inline constexpr std::string_view kServices[] = {"vaccine-mgmt", "reservation", "notification", "mypage"};

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
    // "POST /x → 503 (12 ms): {...}" for failure messages.
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

  private:
    std::atomic<bool> stop_{false};
    std::atomic<int64_t> iterations_{0};
    std::thread thread_;
};

// A running `reservo up vaccine --detach` in its own temporary data directory.
class System final {
  public:
    struct RunResult {
        int exit_code = -1;
        std::string output;  // stdout and stderr
    };

    // Picks a free port range, starts the system and waits until it is ready; nullptr and
    // `error` on failure. `env` is added to the environment of `up` (and so of every service);
    // `up_args` to its command line (fault injection on, by default, for the seeds' experiments).
    static std::unique_ptr<System> Start(std::string* error,
                                         const std::vector<std::pair<std::string, std::string>>& env = {},
                                         const std::vector<std::string>& up_args = {"--faults"});
    ~System();
    System(const System&) = delete;
    System& operator=(const System&) = delete;

    int port_base() const { return port_base_; }
    int gateway_port() const { return port_base_; }
    // The port of a service ("vaccine-mgmt" … "mypage").
    int PortOf(std::string_view service) const;
    const std::string& data_dir() const { return data_dir_; }

    // Runs `reservo ARGS... --data DIR` and waits for it (bounded by `timeout`).
    RunResult Reservo(std::vector<std::string> args, Millis timeout = Millis(60000)) const;

    // `reservo status --json`, parsed; an empty object when it fails.
    bj::object Status() const;
    // The entry of one service in Status() (empty when absent).
    bj::object ServiceStatus(std::string_view service) const;
    std::vector<pid_t> Pids(std::string_view service) const;
    // Every process ready with all its replicas; otherwise `why` says which is not.
    bool AllReady(std::string* why = nullptr) const;

    // Prints the tail of every log, for a failed test.
    void DumpLogs(size_t lines = 12) const;
    // `reservo down`, then SIGKILL whatever of ours is left; removes the data directory.
    void Down();

  private:
    System(std::string data_dir, int port_base);

    std::string data_dir_;
    int port_base_ = 0;
    bool down_ = false;
};

// Polls `probe` every `interval` until it returns true or `timeout` passes; the last result.
bool Eventually(const std::function<bool()>& probe, Millis timeout = Millis(10000), Millis interval = Millis(50));

// The value of a Prometheus sample `name{labels}` (exact text before the value), if present.
std::optional<double> Metric(std::string_view prometheus_text, std::string_view series);

// Sends raw request bytes to 127.0.0.1:port and reads the answer while still writing, as curl
// does, so an early answer (a 413 before the body is through) is seen even if the server then
// resets the connection. Handles Content-Length bodies only.
Reply RawExchange(int port, const std::string& request, Millis timeout = Millis(10000));

// Reads a JSON number that may be an integer or a double (or a numeric string).
int64_t AsInt(const bj::value& v);
std::string AsString(const bj::value& v);

// A test fixture with one shared system per test binary and helpers for the vaccine API.
class SystemTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    static System& system() { return *system_; }
    int gateway() const { return system_->gateway_port(); }
    int PortOf(std::string_view service) const { return system_->PortOf(service); }

    // Blocking call through the gateway.
    Reply Call(std::string method, std::string target, std::string body = {}, Millis timeout = Millis(10000));
    // A name no other test (or run) uses: "<prefix>-<test>-<random>".
    std::string UniqueName(std::string_view prefix) const;

    // POST /vaccineMgmts; fails the test (and returns -1) unless 201.
    int64_t CreateLot(const std::string& hospital, int64_t qty);
    // GET /vaccineMgmts/{id} → qty (-1 when the call fails).
    int64_t LotQty(int64_t lot);
    // Every row of a Spring Data REST collection ("/reservations", "reservations"), all pages.
    std::vector<bj::object> ListAll(std::string_view path, std::string_view embedded_name);
    // page.totalElements of a collection (-1 when the call fails).
    int64_t TotalElements(std::string_view path);
    std::vector<bj::object> ReservationsOfLot(int64_t lot);
    std::vector<bj::object> MyPageRows(const std::string& hospital);
    // Notifications whose correlationId is one of `ids` (reservation ids), of any type.
    std::vector<bj::object> NotificationsFor(const std::vector<int64_t>& reservation_ids);
    // GET /actuator/prometheus straight on a service's port.
    std::string Metrics(std::string_view service);
    std::optional<double> ServiceMetric(std::string_view service, std::string_view series);
    // Whether a service's consumer has applied everything in its partitions (lag 0).
    bool ConsumerCaughtUp(std::string_view service);
    // Runs `reservo ARGS...` against the system and expects success.
    void ReservoOk(std::vector<std::string> args);

    Http http_;

  private:
    static std::unique_ptr<System> system_;
};

}  // namespace reservo::e2e
