#include "cli/supervisor.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cli/control.hpp"
#include "cli/http_probe.hpp"

namespace reservo::cli {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir final {
  public:
    TempDir() {
        char pattern[] = "/tmp/reservo-cli-XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

bool PortFree(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return free;
}

// A random free port in a high range (the kernel's ephemeral range starts at 32768).
int RandomPort(const std::set<int>& taken) {
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> range(20000, 32000);
    for (int attempt = 0; attempt < 200; ++attempt) {
        int port = range(random);
        if (!taken.contains(port) && PortFree(port)) return port;
    }
    return 0;
}

// A supervisor of fake services running in a thread, driven through its control socket.
class Harness final {
  public:
    Harness() {
        options_.data_dir = dir_.path();
        options_.ready_timeout = 10s;
        options_.drain_timeout = 3s;
        options_.backoff_initial = 50ms;
        options_.backoff_max = 800ms;
        options_.log = [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            log_.emplace_back(line);
            std::fprintf(stderr, "  [supervisor] %.*s\n", static_cast<int>(line.size()), line.data());
        };
    }
    ~Harness() {
        if (thread_.joinable()) {
            supervisor_->RequestShutdown();
            thread_.join();
        }
    }

    SupervisorOptions& options() { return options_; }
    const std::string& data_dir() const { return dir_.path(); }

    // Adds a fake service; extra arguments go to the fake.
    ProcessSpec& Add(const std::string& name, std::vector<std::string> args = {}, int phase = 1) {
        ProcessSpec spec;
        spec.system = "demo";
        spec.name = name;
        spec.port = RandomPort(ports_);
        ports_.insert(spec.port);
        spec.argv = {RESERVO_FAKE_SERVICE};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.log_path = dir_.path() + "/demo/logs/" + name + ".log";
        spec.shutdown_phase = phase;
        specs_.push_back(std::move(spec));
        return specs_.back();
    }

    int Port(const std::string& name) const {
        for (const ProcessSpec& spec : specs_) {
            if (spec.name == name) return spec.port;
        }
        return 0;
    }

    // Opens the supervisor and runs it; returns what on_ready reported.
    Status Start() {
        supervisor_ = std::make_unique<Supervisor>(specs_, options_);
        if (Status open = supervisor_->Open(); !open) return open;
        started_ = SteadyClock::now();
        std::future<Status> ready = ready_.get_future();
        thread_ = std::thread([this] {
            exit_code_ = supervisor_->Run([this](const Status& status) {
                ready_at_ = SteadyClock::now();
                ready_.set_value(status);
            });
        });
        if (ready.wait_for(30s) != std::future_status::ready) return Fail(Code::kDeadlineExceeded, "no on_ready");
        return ready.get();
    }

    // Waits for Run to return after DOWN or a failed start.
    int Join() {
        if (thread_.joinable()) thread_.join();
        return exit_code_;
    }

    Millis StartupTime() const { return std::chrono::duration_cast<Millis>(ready_at_ - started_); }

    Result<ControlReply> Send(const std::string& request) { return SendControl(dir_.path(), request, 30s); }

    bj::object State() {
        auto reply = Send("STATUS");
        if (!reply || !reply->ok) return {};
        return bj::parse(reply->body).as_object();
    }

    bj::object Process(const std::string& name) {
        bj::object state = State();
        if (!state.contains("processes")) return {};
        for (const bj::value& p : state["processes"].as_array()) {
            if (p.as_object().at("service").as_string() == name) return p.as_object();
        }
        return {};
    }

    std::vector<pid_t> Pids(const std::string& name) {
        std::vector<pid_t> pids;
        bj::object p = Process(name);
        if (!p.contains("pids")) return pids;
        for (const bj::value& pid : p["pids"].as_array()) pids.push_back(static_cast<pid_t>(pid.as_int64()));
        return pids;
    }

    // Polls until `done` holds or the time is up.
    template <class Pred>
    bool Eventually(Pred done, Millis within = 10s) {
        auto deadline = SteadyClock::now() + within;
        while (SteadyClock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return done();
    }

    std::vector<std::string> Log() {
        std::lock_guard lock(mutex_);
        return log_;
    }

    // Index of the first log line containing `text`, or -1.
    int LogIndex(const std::string& text) {
        std::vector<std::string> lines = Log();
        for (size_t i = 0; i < lines.size(); ++i) {
            if (lines[i].find(text) != std::string::npos) return static_cast<int>(i);
        }
        return -1;
    }

  private:
    TempDir dir_;
    SupervisorOptions options_;
    std::vector<ProcessSpec> specs_;
    std::set<int> ports_;
    std::unique_ptr<Supervisor> supervisor_;
    std::thread thread_;
    std::promise<Status> ready_;
    std::atomic<int> exit_code_{-1};
    SteadyClock::time_point started_{};
    SteadyClock::time_point ready_at_{};
    std::mutex mutex_;
    std::vector<std::string> log_;
};

Result<std::string> Get(int port, const std::string& path, Millis timeout = 3s) {
    auto response = HttpGet("127.0.0.1", port, path, timeout);
    if (!response) return Fail(response.error());
    if (response->status != 200) return Fail(Code::kUnavailable, "status " + std::to_string(response->status));
    return response->body;
}

// GETs /pid in a loop on another thread, counting failures, until stopped.
class ClientLoop final {
  public:
    explicit ClientLoop(int port)
        : thread_([this, port] {
              while (!stop_) {
                  auto body = Get(port, "/pid", 5s);
                  std::lock_guard lock(mutex_);
                  if (body) {
                      ++ok_;
                      pids_.insert(*body);
                  } else {
                      failures_.push_back(body.error().message);
                  }
              }
          }) {}
    ~ClientLoop() { Stop(); }

    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int ok() {
        std::lock_guard lock(mutex_);
        return ok_;
    }
    std::vector<std::string> failures() {
        std::lock_guard lock(mutex_);
        return failures_;
    }
    std::set<std::string> pids() {
        std::lock_guard lock(mutex_);
        return pids_;
    }

  private:
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    int ok_ = 0;
    std::vector<std::string> failures_;
    std::set<std::string> pids_;
    std::thread thread_;
};

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

// Liveness checks fast enough for a test: a stopped process is replaced after ~3 × 100 ms, a
// hung one after ~3 × 500 ms.
void FastLiveness(SupervisorOptions& options) {
    options.liveness_period = 100ms;
    options.liveness_timeout = 500ms;
    options.liveness_failure_threshold = 3;
}

// The pid of replica `index` of a service, from `status`; -1 while there is none.
pid_t ReplicaPid(Harness& h, const std::string& name, int index) {
    bj::object p = h.Process(name);
    if (!p.contains("instances")) return -1;
    for (const bj::value& instance : p["instances"].as_array()) {
        const bj::object& o = instance.as_object();
        if (o.at("replica").as_int64() == index && o.at("pid").is_int64() && o.at("state").as_string() == "ready") {
            return static_cast<pid_t>(o.at("pid").as_int64());
        }
    }
    return -1;
}

// Waits until the service is ready again with one new process for `old`; the pids of the others unchanged.
void ExpectReplaced(Harness& h, const std::string& name, pid_t old) {
    size_t before = h.Pids(name).size();
    ASSERT_TRUE(h.Eventually([&] {
        auto pids = h.Pids(name);
        bj::object p = h.Process(name);
        return p.contains("state") && p["state"].as_string() == "ready" && pids.size() == before &&
               std::find(pids.begin(), pids.end(), old) == pids.end();
    })) << "pid "
        << old << " was not replaced";
    EXPECT_FALSE(Alive(old));
    EXPECT_EQ(h.Process(name)["restarts"].as_int64(), 1);
    EXPECT_GE(h.LogIndex("demo/" + name + " pid " + std::to_string(old) + " failed 3 liveness probes; replacing it"),
              0);
    EXPECT_GE(h.LogIndex("demo/" + name + ": pid " + std::to_string(old) +
                         " was killed after failing its liveness checks; restarting in 50 ms"),
              0);
}

TEST(Supervisor, WaitsUntilEveryProcessIsReady) {
    Harness h;
    h.Add("gateway", {"--ready-delay-ms", "300"}, 0);
    h.Add("alpha", {"--ready-delay-ms", "300"});
    h.Add("beta", {"--ready-delay-ms", "300", "--no-notify"});  // found ready by the HTTP probe
    ASSERT_TRUE(h.Start());
    EXPECT_GE(h.StartupTime(), 300ms);
    for (const char* name : {"gateway", "alpha", "beta"}) {
        auto response = HttpGet("127.0.0.1", h.Port(name), "/actuator/health/readiness", 2s);
        ASSERT_TRUE(response) << name << ": " << response.error().message;
        EXPECT_EQ(response->status, 200) << name;
    }
    EXPECT_GE(h.LogIndex("demo/beta: pid"), 0);
    EXPECT_GE(h.LogIndex("(readiness probe)"), 0);
    EXPECT_GE(h.LogIndex("(notified)"), 0);
}

TEST(Supervisor, StatusReportsEveryProcessAsJsonAndInTheStateFile) {
    Harness h;
    h.Add("gateway", {}, 0);
    h.Add("alpha");
    ASSERT_TRUE(h.Start());

    bj::object state = h.State();
    ASSERT_TRUE(state.contains("processes"));
    EXPECT_EQ(state["supervisorPid"].as_int64(), ::getpid());
    EXPECT_EQ(state["state"].as_string(), "running");
    const bj::array& processes = state["processes"].as_array();
    ASSERT_EQ(processes.size(), 2u);
    const bj::object& gateway = processes[0].as_object();
    EXPECT_EQ(gateway.at("system").as_string(), "demo");
    EXPECT_EQ(gateway.at("service").as_string(), "gateway");
    EXPECT_EQ(gateway.at("port").as_int64(), h.Port("gateway"));
    EXPECT_EQ(gateway.at("url").as_string(), "http://localhost:" + std::to_string(h.Port("gateway")));
    EXPECT_EQ(gateway.at("state").as_string(), "ready");
    EXPECT_EQ(gateway.at("replicas").as_int64(), 1);
    EXPECT_EQ(gateway.at("ready").as_int64(), 1);
    EXPECT_EQ(gateway.at("restarts").as_int64(), 0);
    ASSERT_EQ(gateway.at("pids").as_array().size(), 1u);
    EXPECT_EQ(processes[1].as_object().at("service").as_string(), "alpha");

    std::ifstream file(StateFilePath(h.data_dir()));
    std::stringstream text;
    text << file.rdbuf();
    bj::object saved = bj::parse(text.str()).as_object();
    EXPECT_EQ(saved["processes"].as_array().size(), 2u);

    auto table = FormatStatusTable(bj::serialize(state));
    ASSERT_TRUE(table);
    EXPECT_NE(table->find("SYSTEM"), std::string::npos);
    EXPECT_NE(table->find("demo  "), std::string::npos);
    EXPECT_NE(table->find("ready"), std::string::npos);
}

TEST(Supervisor, RestartsACrashedProcessWithANewPid) {
    Harness h;
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    auto before = Get(h.Port("alpha"), "/pid");
    ASSERT_TRUE(before);
    pid_t old = std::stoi(*before);
    ASSERT_EQ(h.Pids("alpha"), std::vector<pid_t>{old});

    ASSERT_EQ(::kill(old, SIGKILL), 0);
    ASSERT_TRUE(h.Eventually([&] {
        bj::object p = h.Process("alpha");
        auto pids = h.Pids("alpha");
        return p.contains("state") && p["state"].as_string() == "ready" && pids.size() == 1 && pids[0] != old;
    }));
    EXPECT_EQ(h.Process("alpha")["restarts"].as_int64(), 1);
    auto after = Get(h.Port("alpha"), "/pid");
    ASSERT_TRUE(after);
    EXPECT_NE(std::stoi(*after), old);
    EXPECT_GE(h.LogIndex("exited unexpectedly (signal SIGKILL); restarting in 50 ms"), 0);
}

TEST(Supervisor, RestartsWithGrowingBackoffAndGivesUpTheFirstStartAfterTheTimeout) {
    Harness h;
    h.options().ready_timeout = 1500ms;
    ProcessSpec& broken = h.Add("broken");
    broken.argv = {"/bin/sh", "-c", "exit 3"};
    Status ready = h.Start();
    ASSERT_FALSE(ready);
    EXPECT_NE(ready.error().message.find("demo/broken"), std::string::npos);
    EXPECT_EQ(h.Join(), 1);
    EXPECT_GE(h.LogIndex("exited unexpectedly (exit code 3); restarting in 50 ms"), 0);
    EXPECT_GE(h.LogIndex("restarting in 100 ms"), 0);
    EXPECT_GE(h.LogIndex("restarting in 200 ms"), 0);
    EXPECT_FALSE(fs::exists(ControlSocketPath(h.data_dir())));
}

TEST(Supervisor, ReplacesAProcessThatStopsAnsweringItsLivenessProbe) {
    Harness h;
    FastLiveness(h.options());
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    pid_t old = h.Pids("alpha").at(0);
    std::this_thread::sleep_for(500ms);  // several probes answered: a healthy process stays
    EXPECT_EQ(h.Pids("alpha"), std::vector<pid_t>{old});

    ASSERT_EQ(::kill(old, SIGUSR1), 0);  // the fake hangs: runs, but answers nothing
    ExpectReplaced(h, "alpha", old);
    EXPECT_GE(h.LogIndex("(last: no response in time)"), 0);
    auto pid = Get(h.Port("alpha"), "/pid");
    ASSERT_TRUE(pid);
    EXPECT_NE(std::stoi(*pid), old);
}

TEST(Supervisor, ReplacesAStoppedProcess) {
    Harness h;
    FastLiveness(h.options());
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    pid_t old = h.Pids("alpha").at(0);

    ASSERT_EQ(::kill(old, SIGSTOP), 0);  // SIGKILL must end it: a stopped process handles no SIGTERM
    ExpectReplaced(h, "alpha", old);
    EXPECT_TRUE(Get(h.Port("alpha"), "/pid"));
}

// Starts "alpha" with fast liveness checks and scales it to two replicas sharing one port.
void StartTwoReplicas(Harness& h, pid_t& first, pid_t& second) {
    FastLiveness(h.options());
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    auto scaled = h.Send("SCALE demo/alpha 2");
    ASSERT_TRUE(scaled);
    ASSERT_TRUE(scaled->ok) << scaled->message;
    first = ReplicaPid(h, "alpha", 0);
    second = ReplicaPid(h, "alpha", 1);
    ASSERT_GT(first, 0);
    ASSERT_GT(second, 0);
}

TEST(Supervisor, ReplacesAStoppedReplicaButNeverItsHealthySibling) {
    Harness h;
    pid_t stopped = 0, sibling = 0;
    ASSERT_NO_FATAL_FAILURE(StartTwoReplicas(h, stopped, sibling));

    // Requests to the port now reach only the sibling; the stopped replica is still found.
    ASSERT_EQ(::kill(stopped, SIGSTOP), 0);
    ExpectReplaced(h, "alpha", stopped);
    EXPECT_EQ(ReplicaPid(h, "alpha", 1), sibling);
    EXPECT_GT(ReplicaPid(h, "alpha", 0), 0);
    EXPECT_EQ(h.LogIndex("pid " + std::to_string(sibling) + " failed"), -1);
}

TEST(Supervisor, NeverKillsAReplicaForAProbeThatCannotBeAttributedToIt) {
    Harness h;
    pid_t hung = 0, healthy = 0;
    ASSERT_NO_FATAL_FAILURE(StartTwoReplicas(h, hung, healthy));

    // A hung replica that the kernel still reports running: a probe of the shared port cannot
    // tell which process did (not) answer, so nothing is killed on its account — above all not
    // the healthy sibling answering everything.
    ASSERT_EQ(::kill(hung, SIGUSR1), 0);
    std::this_thread::sleep_for(1500ms);  // ~15 liveness periods
    EXPECT_EQ(ReplicaPid(h, "alpha", 1), healthy);
    EXPECT_EQ(h.Process("alpha")["restarts"].as_int64(), 0);
    EXPECT_EQ(h.LogIndex("liveness"), -1);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(Get(h.Port("alpha"), "/pid").value_or("?"), std::to_string(healthy));

    // Scaled back to one, the hung replica is alone on the port and its silence is its own.
    auto down = h.Send("SCALE demo/alpha 1");
    ASSERT_TRUE(down);
    ASSERT_TRUE(down->ok) << down->message;
    ASSERT_EQ(h.Pids("alpha"), std::vector<pid_t>{hung});
    ExpectReplaced(h, "alpha", hung);
}

TEST(Supervisor, BindsEachProcessToItsOwnAddressAndProbesItThere) {
    Harness h;
    FastLiveness(h.options());
    h.Add("gateway", {}, 0).bind_address = "0.0.0.0";
    h.Add("alpha");                                             // 127.0.0.1 unless told
    h.Add("beta", {"--no-notify"}).bind_address = "127.0.0.2";  // ready only if probed there
    h.Add("gamma", {"--no-notify"}).bind_address = "0.0.0.0";   // probed on 127.0.0.1
    ASSERT_TRUE(h.Start());

    std::map<std::string, std::string> bound{
        {"gateway", "0.0.0.0"}, {"alpha", "127.0.0.1"}, {"beta", "127.0.0.2"}, {"gamma", "0.0.0.0"}};
    for (const auto& [name, address] : bound) {
        bj::object p = h.Process(name);
        ASSERT_TRUE(p.contains("bindAddress")) << name;
        EXPECT_EQ(p["bindAddress"].as_string(), address) << name;
        auto sockname = HttpGet(address == "0.0.0.0" ? "127.0.0.1" : address, h.Port(name), "/sockname", 2s);
        ASSERT_TRUE(sockname) << name << ": " << sockname.error().message;
        EXPECT_EQ(sockname->body, address + ":" + std::to_string(h.Port(name))) << name;
    }
    EXPECT_EQ(h.Process("beta")["url"].as_string(), "http://127.0.0.2:" + std::to_string(h.Port("beta")));
    EXPECT_EQ(h.Process("alpha")["url"].as_string(), "http://localhost:" + std::to_string(h.Port("alpha")));

    // 127.0.0.2 stands for another interface: all-interface sockets answer there, loopback ones do not.
    EXPECT_TRUE(HttpGet("127.0.0.2", h.Port("gateway"), "/pid", 2s));
    auto alpha = HttpGet("127.0.0.2", h.Port("alpha"), "/pid", 2s);
    ASSERT_FALSE(alpha);
    EXPECT_EQ(alpha.error().code, Code::kUnavailable) << alpha.error().message;
    EXPECT_FALSE(HttpGet("127.0.0.1", h.Port("beta"), "/pid", 2s));

    // Liveness probes reach every address too: nobody is replaced.
    std::this_thread::sleep_for(600ms);
    for (const auto& [name, address] : bound) EXPECT_EQ(h.Process(name)["restarts"].as_int64(), 0) << name;
    EXPECT_EQ(h.LogIndex("liveness"), -1);
}

TEST(Supervisor, StopKeepsAServiceDownUntilStart) {
    Harness h;
    h.Add("alpha");
    h.Add("beta");
    ASSERT_TRUE(h.Start());
    pid_t old = h.Pids("alpha").at(0);

    auto stopped = h.Send("STOP demo/alpha");
    ASSERT_TRUE(stopped);
    EXPECT_TRUE(stopped->ok) << stopped->message;
    EXPECT_FALSE(Alive(old));
    EXPECT_EQ(h.Process("alpha")["state"].as_string(), "stopped");
    EXPECT_TRUE(h.Pids("alpha").empty());
    // Not restarted; its listening socket is closed, so callers are refused at once and fail fast.
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(h.Pids("alpha").empty());
    auto refused = HttpGet("127.0.0.1", h.Port("alpha"), "/pid", 2000ms);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Code::kUnavailable) << refused.error().message;
    EXPECT_TRUE(Get(h.Port("beta"), "/pid"));

    auto started = h.Send("START alpha");  // the system may be left out when the name is unique
    ASSERT_TRUE(started);
    EXPECT_TRUE(started->ok) << started->message;
    EXPECT_EQ(h.Process("alpha")["state"].as_string(), "ready");
    auto pid = Get(h.Port("alpha"), "/pid");
    ASSERT_TRUE(pid);
    EXPECT_NE(std::stoi(*pid), old);
    EXPECT_EQ(h.Process("alpha")["restarts"].as_int64(), 0);
}

TEST(Supervisor, RollingRestartFailsNoRequest) {
    Harness h;
    h.Add("alpha", {"--ready-delay-ms", "200"});
    ASSERT_TRUE(h.Start());
    pid_t old = h.Pids("alpha").at(0);

    ClientLoop clients(h.Port("alpha"));
    std::this_thread::sleep_for(100ms);
    auto restarted = h.Send("RESTART demo/alpha");
    ASSERT_TRUE(restarted);
    EXPECT_TRUE(restarted->ok) << restarted->message;
    std::this_thread::sleep_for(200ms);
    clients.Stop();

    std::vector<pid_t> pids = h.Pids("alpha");
    ASSERT_EQ(pids.size(), 1u);
    EXPECT_NE(pids[0], old);
    EXPECT_FALSE(Alive(old));
    EXPECT_TRUE(clients.failures().empty()) << clients.failures().size() << " failed, e.g. " << clients.failures()[0];
    EXPECT_GT(clients.ok(), 10);
    EXPECT_TRUE(clients.pids().contains(std::to_string(old)));
    EXPECT_TRUE(clients.pids().contains(std::to_string(pids[0])));
    EXPECT_EQ(h.Process("alpha")["restarts"].as_int64(), 0);
}

TEST(Supervisor, ScaledReplicasShareThePortAndRestartRolling) {
    Harness h;
    h.Add("alpha");
    ASSERT_TRUE(h.Start());

    auto scaled = h.Send("SCALE demo/alpha 2");
    ASSERT_TRUE(scaled);
    ASSERT_TRUE(scaled->ok) << scaled->message;
    std::vector<pid_t> pids = h.Pids("alpha");
    ASSERT_EQ(pids.size(), 2u);
    EXPECT_EQ(h.Process("alpha")["ready"].as_int64(), 2);

    std::set<std::string> served;
    std::set<std::string> replicas;
    for (int i = 0; i < 400 && (served.size() < 2 || replicas.size() < 2); ++i) {
        if (auto pid = Get(h.Port("alpha"), "/pid")) served.insert(*pid);
        if (auto replica = Get(h.Port("alpha"), "/replica")) replicas.insert(*replica);
    }
    EXPECT_EQ(served, (std::set<std::string>{std::to_string(pids[0]), std::to_string(pids[1])}));
    EXPECT_EQ(replicas, (std::set<std::string>{"0", "1"}));

    ClientLoop clients(h.Port("alpha"));
    auto restarted = h.Send("RESTART demo/alpha");
    ASSERT_TRUE(restarted);
    EXPECT_TRUE(restarted->ok) << restarted->message;
    clients.Stop();
    EXPECT_TRUE(clients.failures().empty()) << clients.failures().size() << " failed";
    std::vector<pid_t> fresh = h.Pids("alpha");
    ASSERT_EQ(fresh.size(), 2u);
    for (pid_t pid : pids) EXPECT_FALSE(Alive(pid));

    auto down = h.Send("SCALE demo/alpha 1");
    ASSERT_TRUE(down);
    EXPECT_TRUE(down->ok) << down->message;
    ASSERT_EQ(h.Pids("alpha").size(), 1u);
    EXPECT_EQ(Get(h.Port("alpha"), "/replica").value_or("?"), "0");
}

TEST(Supervisor, DownStopsGatewaysFirstThenEverythingAndExits) {
    Harness h;
    h.Add("gateway", {}, 0);
    h.Add("alpha");
    h.Add("beta");
    ASSERT_TRUE(h.Start());
    std::vector<pid_t> all;
    for (const char* name : {"gateway", "alpha", "beta"}) all.push_back(h.Pids(name).at(0));

    auto down = h.Send("DOWN");
    ASSERT_TRUE(down);
    EXPECT_TRUE(down->ok) << down->message;
    EXPECT_EQ(h.Join(), 0);
    for (pid_t pid : all) EXPECT_FALSE(Alive(pid)) << pid;
    EXPECT_FALSE(fs::exists(ControlSocketPath(h.data_dir())));
    EXPECT_FALSE(fs::exists(StateFilePath(h.data_dir())));

    int gateway_exit = h.LogIndex("demo/gateway: pid " + std::to_string(all[0]) + " exited");
    int alpha_stop = h.LogIndex("demo/alpha: stopping");
    ASSERT_GE(gateway_exit, 0);
    EXPECT_LT(gateway_exit, alpha_stop);

    auto gone = h.Send("STATUS");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, Code::kUnavailable);
}

TEST(Supervisor, RefusesASecondSupervisorOnTheSameDataDirectory) {
    Harness h;
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    SupervisorOptions options;
    options.data_dir = h.data_dir();
    ProcessSpec spec{.system = "demo", .name = "alpha", .port = h.Port("alpha"), .argv = {RESERVO_FAKE_SERVICE}};
    Supervisor second({spec}, options);
    Status open = second.Open();
    ASSERT_FALSE(open);
    EXPECT_EQ(open.error().code, Code::kAlreadyExists);
    EXPECT_TRUE(h.Send("PING").value_or(ControlReply{}).ok);  // the first one is untouched
}

TEST(Supervisor, AnswersBadCommandsWithErrors) {
    Harness h;
    h.Add("alpha");
    ASSERT_TRUE(h.Start());
    for (const char* request : {"FLY", "STOP", "STOP demo/nope", "SCALE demo/alpha 0", "SCALE demo/alpha x"}) {
        auto reply = h.Send(request);
        ASSERT_TRUE(reply) << request;
        EXPECT_FALSE(reply->ok) << request;
        EXPECT_FALSE(reply->message.empty()) << request;
    }
    EXPECT_NE(h.Send("STOP demo/nope")->message.find("demo/alpha"), std::string::npos);  // lists the known ones
}

TEST(Control, ReportsClearlyWhenNoSupervisorRuns) {
    TempDir dir;
    auto reply = SendControl(dir.path(), "STATUS", 2s);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, Code::kUnavailable);
    EXPECT_NE(reply.error().message.find("no `reservo up` is running with --data " + dir.path()), std::string::npos);
}

}  // namespace
}  // namespace reservo::cli
