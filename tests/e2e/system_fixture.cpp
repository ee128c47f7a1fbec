#include "tests/e2e/system_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "kit/auth/secret.hpp"
#include "kit/core/config.hpp"
#include "kit/service/engines.hpp"
#include "kit/store/sqlite.hpp"

extern char** environ;

namespace reservo::e2e {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReservoBinary() { return RESERVO_BIN; }
std::string SourceDir() { return RESERVO_SOURCE_DIR; }

namespace {

constexpr int kSlotWidth = 10;    // ports per slot: a system's gateway and services (at most 10)
constexpr int kBlockPorts = 500;  // ports per test binary (E2E_PORT_BLOCK)

std::mt19937_64& Rng() {
    static std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(getpid()));
    return rng;
}

// Whether nothing listens on (or lingers in TIME_WAIT on) this TCP port.
bool PortFree(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

// /proc/PID/cmdline with NULs as spaces; empty when the process is gone.
std::string CmdLine(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(text.begin(), text.end(), '\0', ' ');
    return text;
}

// Alive and not a zombie.
bool Alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return false;
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
    return stat[paren + 2] != 'Z';
}

// This process's environment with `env` added (replacing variables of the same name).
std::vector<std::string> Environment(const Env& env) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        bool overridden = std::any_of(env.begin(), env.end(), [&](const auto& kv) {
            return entry.starts_with(kv.first) && entry.size() > kv.first.size() && entry[kv.first.size()] == '=';
        });
        if (!overridden) out.emplace_back(entry);
    }
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

// Spawns argv with stdin from /dev/null and stdout+stderr on `out_fd`; the pid, or -1 and `error`.
pid_t Spawn(const std::vector<std::string>& args, const Env& env, int out_fd, std::string* error) {
    std::vector<std::string> env_text = Environment(env);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_text = args;
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        *error = "posix_spawn " + args[0] + ": " + std::strerror(rc);
        return -1;
    }
    return pid;
}

int WaitExit(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string TempDir(const std::string& prefix, std::string* error) {
    std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) {
        *error = std::string("mkdtemp: ") + std::strerror(errno);
        return {};
    }
    return tmpl;
}

void RemoveDir(const std::string& dir) {
    if (dir.empty()) return;
    if (std::getenv("RESERVO_E2E_KEEP")) {
        std::cerr << "e2e: kept " << dir << "\n";
        return;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

// The last `lines` lines of a text file.
std::string Tail(const fs::path& path, size_t lines) {
    std::ifstream in(path);
    std::deque<std::string> tail;
    for (std::string line; std::getline(in, line);) {
        tail.push_back(std::move(line));
        if (tail.size() > lines) tail.pop_front();
    }
    std::string out;
    for (const auto& line : tail) out += line + "\n";
    return out;
}

}  // namespace

int ReservePorts(int width) {
    if (width < 1 || width > kSlotWidth) return 0;
    static std::mutex mutex;
    static std::set<int> handed_out;
    std::lock_guard lock(mutex);
    int first = 30000, slots = 200;  // run outside ctest: anywhere below the ephemeral range (32768+)
    if (const char* block = std::getenv("E2E_PORT_BLOCK")) {
        first = std::atoi(block);
        slots = kBlockPorts / kSlotWidth;
    }
    int start = static_cast<int>(Rng()() % static_cast<uint64_t>(slots));
    for (int pass = 0; pass < 2; ++pass) {
        for (int i = 0; i < slots; ++i) {
            int base = first + ((start + i) % slots) * kSlotWidth;
            if (pass == 0 && handed_out.contains(base)) continue;
            bool free = true;
            for (int p = base; p < base + width && free; ++p) free = PortFree(p);
            if (!free) continue;
            handed_out.insert(base);
            return base;
        }
    }
    return 0;
}

RunResult Run(const std::vector<std::string>& args, const Env& env, Millis timeout) {
    RunResult result;
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        result.output = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    pid_t pid = Spawn(args, env, out[1], &result.output);
    close(out[1]);
    if (pid < 0) {
        close(out[0]);
        return result;
    }
    // Read until EOF: the detached supervisor of `up` replaces its stdout with its log, so EOF
    // comes once `up` has reported.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            kill(pid, SIGKILL);
            result.output += "\n[e2e: killed after the timeout]";
            break;
        }
        pollfd p{out[0], POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        ssize_t got = read(out[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        result.output.append(buffer, static_cast<size_t>(got));
    }
    close(out[0]);
    result.exit_code = WaitExit(pid);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Reply, Http, LoadLoop

bj::value Reply::Json() const {
    boost::system::error_code ec;
    bj::value v = bj::parse(body, ec);
    if (ec) return nullptr;
    return v;
}

std::string Reply::Header(std::string_view name) const { return std::string(headers.Find(name).value_or("")); }

std::string Reply::Describe() const {
    std::ostringstream out;
    out << "status " << status << " in " << elapsed.count() << " ms";
    if (!error.empty()) out << " (" << error << ")";
    if (!body.empty()) out << ": " << body.substr(0, 400);
    return out.str();
}

http::Client& Http::ClientFor(int port) {
    auto& slot = clients_[port];
    if (!slot) slot = std::make_unique<http::Client>(io_, "http://127.0.0.1:" + std::to_string(port));
    return *slot;
}

namespace {

std::string& Bearer() {
    static std::string token;
    return token;
}

http::Request JsonRequest(std::string method, std::string target, std::string body) {
    http::Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    if (!Bearer().empty()) req.headers.Set("Authorization", "Bearer " + Bearer());
    if (!body.empty()) req.headers.Set("Content-Type", "application/json");
    req.body = std::move(body);
    return req;
}

}  // namespace

Awaitable<Reply> Http::Send(http::Client& client, std::string method, std::string target, std::string body,
                            Millis timeout) {
    co_return co_await Send(client, JsonRequest(std::move(method), std::move(target), std::move(body)), timeout);
}

Awaitable<Reply> Http::Send(http::Client& client, http::Request req, Millis timeout) {
    auto start = std::chrono::steady_clock::now();
    auto res = co_await client.Send(std::move(req), timeout);
    Reply reply;
    reply.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
    if (!res) {
        reply.error = res.error().message;
        co_return reply;
    }
    reply.status = res->status;
    reply.headers = std::move(res->headers);
    reply.body = std::move(res->body);
    co_return reply;
}

Reply Http::Call(int port, http::Request req, Millis timeout) { return Call(ClientFor(port), std::move(req), timeout); }

Reply Http::Call(http::Client& client, http::Request req, Millis timeout) {
    Reply out;
    bool done = false;
    asio::co_spawn(
        io_,
        [&]() -> Awaitable<void> {
            out = co_await Send(client, std::move(req), timeout);
            done = true;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    RunUntil(done);
    if (!done) out.error = "the io_context ran out of work";
    return out;
}

Awaitable<Reply> Http::Send(int port, std::string method, std::string target, std::string body, Millis timeout) {
    co_return co_await Send(ClientFor(port), std::move(method), std::move(target), std::move(body), timeout);
}

void Http::RunUntil(const bool& done) {
    io_.restart();
    while (!done) {
        if (io_.run_one() == 0) break;
    }
}

Reply Http::Call(http::Client& client, std::string method, std::string target, std::string body, Millis timeout) {
    return Call(client, JsonRequest(std::move(method), std::move(target), std::move(body)), timeout);
}

Reply Http::Call(int port, std::string method, std::string target, std::string body, Millis timeout) {
    return Call(ClientFor(port), std::move(method), std::move(target), std::move(body), timeout);
}

void Http::RunConcurrently(int count, const std::function<Awaitable<void>(int)>& body) {
    int finished = 0;
    bool done = count == 0;
    for (int i = 0; i < count; ++i) {
        asio::co_spawn(io_, body(i), [&](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
            if (++finished == count) done = true;
        });
    }
    RunUntil(done);
}

LoadLoop::LoadLoop(int workers, Step step, Millis pause) {
    thread_ = std::thread([this, workers, step = std::move(step), pause] {
        Http http;
        http.RunConcurrently(workers, [&](int worker) -> Awaitable<void> {
            asio::steady_timer timer(http.io());
            while (!stop_.load()) {
                co_await step(http, worker);
                iterations_.fetch_add(1);
                timer.expires_after(pause);
                co_await timer.async_wait(asio::use_awaitable);
            }
        });
    });
}

LoadLoop::~LoadLoop() { Stop(); }

bool LoadLoop::WaitSteps(int64_t steps, Millis at_least, Millis timeout) const {
    const int64_t from = iterations();
    const auto started = std::chrono::steady_clock::now();
    return Eventually(
        [&] { return iterations() >= from + steps && std::chrono::steady_clock::now() - started >= at_least; },
        timeout);
}

void LoadLoop::Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------------------------------------
// System

System::System(std::string name, std::string data_dir, int port_base)
    : name_(std::move(name)), data_dir_(std::move(data_dir)), port_base_(port_base) {}

System::~System() { Down(); }

std::string EnginesUnderTest() {
    const char* engines = std::getenv("E2E_ENGINES");
    return engines ? engines : "";
}
bool OnKafka() { return EnginesUnderTest().find("kafka") != std::string::npos; }
bool OnPostgres() { return EnginesUnderTest().find("postgres") != std::string::npos; }

std::unique_ptr<KafkaDev> KafkaDev::Start(std::string* error) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        *error = std::string("pipe: ") + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<KafkaDev> dev(new KafkaDev());
    std::vector<std::string> args = {ReservoBinary(), "kafka-dev", "--brokers", "3"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    int rc = posix_spawn(&dev->pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    dev->in_ = in[1];
    dev->out_ = out[0];
    if (rc != 0) {
        *error = std::string("posix_spawn kafka-dev: ") + std::strerror(rc);
        return nullptr;
    }
    // Its banner: "kafka-dev: librdkafka mock cluster (NOT durable, ...) brokers=127.0.0.1:p1,..."
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{dev->out_, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char buffer[512];
        ssize_t got = read(dev->out_, buffer, sizeof buffer);
        if (got <= 0) break;
        text.append(buffer, static_cast<size_t>(got));
    }
    size_t at = text.find("brokers=");
    if (at == std::string::npos) {
        *error = "reservo kafka-dev printed no brokers: " + text;
        return nullptr;
    }
    dev->brokers_ = text.substr(at + 8, text.find_first_of(" \n", at) - at - 8);
    return dev;
}

KafkaDev::~KafkaDev() {
    if (in_ >= 0) {
        const std::string quit = "quit\n";
        [[maybe_unused]] auto n = write(in_, quit.data(), quit.size());
        close(in_);
    }
    if (pid_ > 0) {
        if (!Eventually([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, Millis(5000))) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    if (out_ >= 0) close(out_);
}

bool KafkaDev::SetDown(bool down) {
    const std::string line = down ? "down\n" : "up\n";
    return write(in_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

std::vector<bj::object> System::Events(std::string_view type, std::string_view subject) const {
    std::vector<bj::object> out;
    if (kafka_) {
        // Kafka's binary content mode: ce_* headers, the value is `data`.
        RunResult kcat =
            Run({"/usr/bin/kcat", "-C", "-b", kafka_->brokers(), "-t", topic_, "-o", "beginning", "-e", "-q", "-J"}, {},
                Millis(20000));
        std::istringstream lines(kcat.output);
        for (std::string line; std::getline(lines, line);) {
            boost::system::error_code ec;
            bj::value message = bj::parse(line, ec);
            if (ec || !message.is_object()) continue;
            bj::object event;
            const bj::value* headers = message.as_object().if_contains("headers");
            if (!headers || !headers->is_array()) continue;
            const bj::array& h = headers->as_array();
            for (size_t i = 0; i + 1 < h.size(); i += 2) {
                std::string name = AsString(h[i]);
                if (name.starts_with("ce_")) event[name.substr(3)] = h[i + 1];
            }
            if (AsString(event["type"]) != type || AsString(event["subject"]) != subject) continue;
            event["data"] = bj::parse(AsString(message.as_object()["payload"]), ec);
            out.push_back(std::move(event));
        }
        return out;
    }
    // The embedded log: structured CloudEvents in a SQLite file shared by the system's processes.
    auto log = store::SqliteDatabase::Open(data_dir_ + "/" + name_ + "/events.db");
    if (!log) return out;
    static constexpr store::Sql kEvents{"find_events", "SELECT payload FROM events WHERE type = ? AND subject = ?"};
    auto rows = (*log)->Query(kEvents, {std::string(type), std::string(subject)});
    if (!rows) return out;
    for (const auto& row : *rows) {
        boost::system::error_code ec;
        bj::value event = bj::parse(row.Text(0), ec);
        if (!ec && event.is_object()) out.push_back(std::move(event.as_object()));
    }
    return out;
}

bool System::SetPostgresUp(bool up) const {
    auto pg = store::LocalPostgres::In(data_dir_ + "/postgres");
    reservo::Status st = !pg ? reservo::Status(Fail(pg.error())) : up ? pg->Restart() : pg->Stop();
    if (!st) std::cerr << "e2e: PostgreSQL " << (up ? "start" : "stop") << ": " << st.error().message << "\n";
    return st.has_value();
}

bool System::PausePostgres(bool paused) const {
    auto pg = store::LocalPostgres::In(data_dir_ + "/postgres");
    const int pid = pg ? pg->Pid() : 0;
    if (pid <= 0) {
        std::cerr << "e2e: no PostgreSQL runs in " << data_dir_ << "/postgres\n";
        return false;
    }
    const char* sig = paused ? "-STOP" : "-CONT";
    Run({"/usr/bin/pkill", sig, "-P", std::to_string(pid)}, {}, Millis(5000));  // its backends
    return ::kill(pid, paused ? SIGSTOP : SIGCONT) == 0;
}

// A system's YAML, as the binary embeds it, with `env` and then this process's environment over it.
static Result<Config> SystemConfig(const std::string& system, const Env& env) {
    return Config::FromFile(SourceDir() + "/systems/" + system + "/system.yaml",
                            [&](const std::string& var) -> std::optional<std::string> {
                                for (const auto& [k, v] : env) {
                                    if (k == var) return v;
                                }
                                if (const char* v = std::getenv(var.c_str())) return std::string(v);
                                return std::nullopt;
                            });
}

std::unique_ptr<System> System::Start(const SystemOptions& options, std::string* error) {
    // The system's YAML, as the binary embeds it: how many ports it needs and its partitions.
    std::string yaml = SourceDir() + "/systems/" + options.system + "/system.yaml";
    auto config = SystemConfig(options.system, options.env);
    if (options.system.empty() || !config) {
        *error = "no system '" + options.system + "' (" + yaml + ")";
        return nullptr;
    }
    int width = 1 + static_cast<int>(config->Children("services").size());
    int partitions = static_cast<int>(config->GetInt("events.partitions", 4));

    std::string log;
    int attempts = options.port_base > 0 ? 1 : 5;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        int base = options.port_base > 0 ? options.port_base : ReservePorts(width);
        if (base == 0) {
            *error = "no free port range found for " + std::to_string(width) + " ports";
            return nullptr;
        }
        std::string dir = TempDir("reservo-e2e-" + options.system, error);
        if (dir.empty()) return nullptr;
        std::unique_ptr<System> system(new System(options.system, dir, base));
        system->partitions_ = partitions;
        system->topic_ = config->Find("events.topic").value_or(options.system);
        std::vector<std::string> argv = {ReservoBinary(),      "up",      options.system, "--data", dir, "--port-base",
                                         std::to_string(base), "--detach"};
        argv.insert(argv.end(), options.up_args.begin(), options.up_args.end());
        Env env = options.env;
        // The suite's own --engines, else E2E_ENGINES.
        std::string engines = EnginesUnderTest();
        auto flag = std::find(options.up_args.begin(), options.up_args.end(), "--engines");
        if (flag != options.up_args.end() && flag + 1 != options.up_args.end()) {
            engines = *(flag + 1);
        } else if (!engines.empty()) {
            argv.insert(argv.end(), {"--engines", engines});
        }
        if (engines.find("kafka") != std::string::npos) {
            system->kafka_ = KafkaDev::Start(error);
            if (!system->kafka_) return nullptr;
            env.emplace_back("RESERVO_EVENTS_KAFKA_BROKERS", system->kafka_->brokers());
            // The mock cluster holds every rebalance for the session timeout (less 1 s), even after
            // a member left cleanly; a real broker rebalances at once on a LeaveGroup.
            env.emplace_back("RESERVO_EVENTS_KAFKA_SESSION_TIMEOUT_MS", "4000");
        }
        RunResult up = Run(argv, env, Millis(60000));
        if (up.exit_code == 0) {
            std::string why;
            if (Eventually([&] { return system->ReadTopology(&why) && system->AllReady(&why); }, Millis(10000))) {
                return system;
            }
            log += "attempt " + std::to_string(attempt) + ": not ready: " + why + "\n";
        } else {
            log += "attempt " + std::to_string(attempt) + " (port base " + std::to_string(base) + "): exit " +
                   std::to_string(up.exit_code) + ": " + up.output + "\n";
        }
        system->DumpLogs();
        system->Down();  // a port taken between the check and `up`: try another range
    }
    *error = "reservo up " + options.system + " failed:\n" + log;
    return nullptr;
}

// Services and ports from `reservo status --json`: the running system is the source.
bool System::ReadTopology(std::string* why) {
    bj::object status = Status();
    const bj::value* processes = status.if_contains("processes");
    if (!processes || !processes->is_array() || processes->as_array().empty()) {
        *why = "no process list in the status";
        return false;
    }
    services_.clear();
    ports_.clear();
    for (const auto& p : processes->as_array()) {
        const bj::object& o = p.as_object();
        if (AsString(o.at("system")) != name_) continue;
        std::string process = AsString(o.at("service"));
        ports_[process] = static_cast<int>(AsInt(o.at("port")));
        if (process != "gateway") services_.push_back(process);
    }
    std::sort(services_.begin(), services_.end(),
              [&](const std::string& a, const std::string& b) { return ports_[a] < ports_[b]; });
    if (!ports_.contains("gateway") || ports_["gateway"] != port_base_) {
        *why = "the gateway is not on the port base " + std::to_string(port_base_);
        return false;
    }
    return true;
}

int System::PortOf(std::string_view process) const {
    auto it = ports_.find(process);
    return it == ports_.end() ? -1 : it->second;
}

RunResult System::Reservo(std::vector<std::string> args, Millis timeout) const {
    args.insert(args.begin(), ReservoBinary());
    args.push_back("--data");
    args.push_back(data_dir_);
    return Run(args, {}, timeout);
}

RunResult System::StopService(std::string_view service) const { return Reservo({"stop", Target(service)}); }
RunResult System::StartService(std::string_view service) const { return Reservo({"start", Target(service)}); }
RunResult System::RestartService(std::string_view service) const { return Reservo({"restart", Target(service)}); }
RunResult System::ScaleService(std::string_view service, int replicas) const {
    return Reservo({"scale", Target(service), std::to_string(replicas)});
}

std::vector<pid_t> System::KillService(std::string_view service, int signal) const {
    std::vector<pid_t> signalled;
    for (pid_t pid : Pids(service)) {
        // Ours only: every process of the system carries the data directory on its command line.
        if (CmdLine(pid).find(data_dir_) != std::string::npos && kill(pid, signal) == 0) signalled.push_back(pid);
    }
    return signalled;
}

bool System::WaitReplaced(std::string_view service, const std::vector<pid_t>& old, Millis timeout) const {
    return Eventually(
        [&] {
            bj::object s = ServiceStatus(service);
            std::vector<pid_t> now = Pids(service);
            if (now.empty() || AsString(s["state"]) != "ready") return false;
            return std::none_of(now.begin(), now.end(),
                                [&](pid_t pid) { return std::find(old.begin(), old.end(), pid) != old.end(); });
        },
        timeout, Millis(100));
}

bj::object System::Status() const {
    RunResult r = Reservo({"status", "--json"}, Millis(10000));
    if (r.exit_code != 0) return {};
    boost::system::error_code ec;
    bj::value v = bj::parse(r.output, ec);
    if (ec || !v.is_object()) return {};
    return v.as_object();
}

bj::object System::ServiceStatus(std::string_view service) const {
    bj::object status = Status();
    const bj::value* processes = status.if_contains("processes");
    if (!processes || !processes->is_array()) return {};
    for (const auto& p : processes->as_array()) {
        if (p.is_object() && AsString(p.as_object().at("service")) == service) return p.as_object();
    }
    return {};
}

std::vector<pid_t> System::Pids(std::string_view service) const {
    std::vector<pid_t> pids;
    bj::object s = ServiceStatus(service);
    if (const bj::value* list = s.if_contains("pids"); list && list->is_array()) {
        for (const auto& p : list->as_array()) pids.push_back(static_cast<pid_t>(AsInt(p)));
    }
    return pids;
}

bool System::AllReady(std::string* why) const {
    bj::object status = Status();
    auto fail = [&](std::string text) {
        if (why) *why = std::move(text);
        return false;
    };
    if (status.empty()) return fail("no status");
    if (AsString(status["state"]) != "running") return fail("supervisor state " + bj::serialize(status["state"]));
    const bj::value* processes = status.if_contains("processes");
    if (!processes || !processes->is_array() || processes->as_array().empty()) return fail("no process list");
    if (!ports_.empty() && processes->as_array().size() != ports_.size()) return fail("unexpected process list");
    for (const auto& p : processes->as_array()) {
        const bj::object& o = p.as_object();
        if (AsString(o.at("state")) != "ready" || AsInt(o.at("ready")) != AsInt(o.at("replicas"))) {
            return fail(bj::serialize(o));
        }
    }
    return true;
}

void System::DumpLogs(size_t lines) const {
    std::vector<fs::path> logs = {fs::path(data_dir_) / "reservo.log"};
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(data_dir_) / name_ / "logs", ec)) {
        logs.push_back(entry.path());
    }
    for (const auto& path : logs) {
        std::string tail = Tail(path, lines);
        std::cerr << "---- " << path.string() << " (last " << std::count(tail.begin(), tail.end(), '\n') << " lines)\n"
                  << tail;
    }
}

void System::Down() {
    if (down_) return;
    down_ = true;
    // Everything of ours carries the data directory on its command line; that guards against
    // killing a recycled pid.
    std::vector<pid_t> ours;
    bj::object status = Status();
    if (const bj::value* sup = status.if_contains("supervisorPid")) ours.push_back(static_cast<pid_t>(AsInt(*sup)));
    if (const bj::value* processes = status.if_contains("processes"); processes && processes->is_array()) {
        for (const auto& p : processes->as_array()) {
            const bj::value* instances = p.as_object().if_contains("instances");
            if (!instances || !instances->is_array()) continue;
            for (const auto& i : instances->as_array()) ours.push_back(static_cast<pid_t>(AsInt(i.at("pid"))));
        }
    }
    if (!status.empty()) {
        RunResult down = Reservo({"down"}, Millis(30000));
        if (down.exit_code != 0) std::cerr << "e2e: reservo down failed: " << down.output << "\n";
    }
    auto leftovers = [&] {
        std::vector<pid_t> left;
        for (pid_t pid : ours) {
            if (pid > 0 && Alive(pid) && CmdLine(pid).find(data_dir_) != std::string::npos) left.push_back(pid);
        }
        return left;
    };
    Eventually([&] { return leftovers().empty(); }, Millis(5000));
    for (pid_t pid : leftovers()) {
        std::cerr << "e2e: killing leftover pid " << pid << " (" << CmdLine(pid) << ")\n";
        kill(pid, SIGKILL);
    }
    // A supervisor killed above could not stop the PostgreSQL it started.
    if (std::ifstream(data_dir_ + "/postgres/data/postmaster.pid")) SetPostgresUp(false);
    kafka_.reset();
    RemoveDir(data_dir_);
}

// ---------------------------------------------------------------------------------------------
// ServedService

std::unique_ptr<ServedService> ServedService::Start(const ServeOptions& options, std::string* error,
                                                    Millis ready_timeout) {
    std::unique_ptr<ServedService> served(new ServedService());
    served->port_ = options.port > 0 ? options.port : ReservePorts(1);
    if (served->port_ == 0) {
        *error = "no free port found";
        return nullptr;
    }
    std::string name = options.target;
    std::replace(name.begin(), name.end(), '/', '-');
    served->data_dir_ = TempDir("reservo-serve-" + name, error);
    if (served->data_dir_.empty()) return nullptr;
    std::string log_path = served->data_dir_ + "/serve.log";
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        *error = "open " + log_path + ": " + std::strerror(errno);
        return nullptr;
    }
    std::vector<std::string> argv = {
        ReservoBinary(), "serve", options.target, "--port", std::to_string(served->port_), "--data", served->data_dir_};
    argv.insert(argv.end(), options.args.begin(), options.args.end());
    // As `reservo up` does: a service whose store is on PostgreSQL with no URL given gets a local server.
    Env env = options.env;
    const std::string system = options.target.substr(0, options.target.find('/'));
    const std::string service = options.target.substr(options.target.find('/') + 1);
    auto config = SystemConfig(system, env);
    if (config && service::NeedsLocalPostgres(*config, service)) {
        auto pg = store::LocalPostgres::Start(served->data_dir_ + "/postgres");
        if (!pg) {
            *error = "no local PostgreSQL for " + options.target + ": " + pg.error().message;
            close(log_fd);
            return nullptr;
        }
        env.emplace_back("RESERVO_STORE_POSTGRES_URL", pg->url());
        served->postgres_ = std::move(*pg);
    }
    served->pid_ = Spawn(argv, env, log_fd, error);
    close(log_fd);
    if (served->pid_ < 0) return nullptr;

    Http http;
    Reply ready;
    int exit_status = -1;
    bool ok = Eventually(
        [&] {
            if (waitpid(served->pid_, &exit_status, WNOHANG) == served->pid_) return true;  // it gave up
            ready = http.Call(served->port_, "GET", "/actuator/health/readiness", {}, Millis(1000));
            return ready.status == 200;
        },
        ready_timeout, Millis(50));
    if (exit_status != -1) {
        served->pid_ = -1;  // reaped
        int code = WIFEXITED(exit_status) ? WEXITSTATUS(exit_status) : 128 + WTERMSIG(exit_status);
        *error = "reservo serve " + options.target + " exited (" + std::to_string(code) + "):\n" + served->LogTail();
        return nullptr;
    }
    if (!ok) {
        *error = "reservo serve " + options.target + " on port " + std::to_string(served->port_) +
                 " is not ready: " + ready.Describe() + "\n" + served->LogTail();
        return nullptr;
    }
    return served;
}

ServedService::~ServedService() { Stop(); }

void ServedService::Stop() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        bool exited = Eventually([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, Millis(10000));
        if (!exited) {
            kill(pid_, SIGKILL);
            WaitExit(pid_);
        }
        pid_ = -1;
    }
    if (postgres_) {
        if (auto st = postgres_->Stop(); !st) std::cerr << "e2e: " << st.error().message << "\n";
        postgres_.reset();
    }
    RemoveDir(data_dir_);
    data_dir_.clear();
}

std::string ServedService::LogTail(size_t lines) const { return Tail(fs::path(data_dir_) / "serve.log", lines); }

// ---------------------------------------------------------------------------------------------
// Free helpers

bool Eventually(const std::function<bool()>& probe, Millis timeout, Millis interval) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (probe()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

// Each sample line of Prometheus text, split at its last space: (series, value), the value parsed.
static void ForEachSample(std::string_view text, const std::function<void(std::string_view, double)>& sample) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const size_t space = line.rfind(' ');
        if (line.empty() || line.front() == '#' || space == std::string_view::npos) continue;
        std::string value(line.substr(space + 1));
        char* stop = nullptr;
        double v = std::strtod(value.c_str(), &stop);
        if (stop != value.c_str()) sample(line.substr(0, space), v);
    }
}

std::optional<double> Metric(std::string_view text, std::string_view series) {
    std::optional<double> found;
    ForEachSample(text, [&](std::string_view s, double v) {
        if (!found && s == series) found = v;
    });
    return found;
}

std::optional<double> MetricSum(std::string_view text, std::string_view name,
                                std::initializer_list<std::string_view> labels) {
    std::optional<double> sum;
    ForEachSample(text, [&](std::string_view series, double v) {
        if (!series.starts_with(name) || (series.size() > name.size() && series[name.size()] != '{')) return;
        std::string_view label_text = series.substr(name.size());
        for (std::string_view label : labels) {
            if (label_text.find(label) == std::string_view::npos) return;
        }
        sum = sum.value_or(0) + v;
    });
    return sum;
}

Reply RawExchange(int port, const std::string& request, Millis timeout, const std::string& from) {
    Reply reply;
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + timeout;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        reply.error = std::string("socket: ") + std::strerror(errno);
        return reply;
    }
    if (!from.empty()) {  // the source address: another loopback address is another client
        sockaddr_in source{};
        source.sin_family = AF_INET;
        if (inet_pton(AF_INET, from.c_str(), &source.sin_addr) != 1 ||
            bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
            reply.error = "bind " + from + ": " + std::strerror(errno);
            close(fd);
            return reply;
        }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        reply.error = std::string("connect: ") + std::strerror(errno);
        close(fd);
        return reply;
    }
    std::string in;
    size_t sent = 0;
    bool writing = true;
    std::string write_error;
    auto complete = [&] {
        size_t end = in.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        std::string head = in.substr(0, end);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = head.find("content-length:");
        size_t length = cl == std::string::npos ? 0 : std::strtoul(head.c_str() + cl + 15, nullptr, 10);
        return in.size() >= end + 4 + length;
    };
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            reply.error = "timed out";
            break;
        }
        pollfd p{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
        int n = poll(&p, 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            char buffer[65536];
            ssize_t got = recv(fd, buffer, sizeof buffer, 0);
            if (got > 0) {
                in.append(buffer, static_cast<size_t>(got));
                if (complete()) break;
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got < 0) reply.error = std::string("recv: ") + std::strerror(errno);
            break;
        }
        if (writing && (p.revents & POLLOUT)) {
            ssize_t put = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (put > 0) {
                sent += static_cast<size_t>(put);
                writing = sent < request.size();
            } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
                write_error = std::string("send: ") + std::strerror(errno);
                writing = false;
            }
        }
    }
    close(fd);
    reply.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
    size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos || !in.starts_with("HTTP/1.")) {
        if (reply.error.empty()) reply.error = write_error.empty() ? "no answer" : write_error;
        return reply;
    }
    reply.error.clear();
    std::istringstream head(in.substr(0, end));
    std::string line;
    std::getline(head, line);
    reply.status = std::atoi(line.c_str() + 9);
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        size_t value = line.find_first_not_of(' ', colon + 1);
        reply.headers.Add(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
    }
    reply.body = in.substr(end + 4);
    return reply;
}

int64_t AsInt(const bj::value& v) {
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
    if (v.is_double()) return static_cast<int64_t>(v.as_double());
    if (v.is_string()) return std::strtoll(v.as_string().c_str(), nullptr, 10);
    return -1;
}

std::string AsString(const bj::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "";
    return bj::serialize(v);
}

std::string Str(const bj::object& row, std::string_view key) {
    const bj::value* v = row.if_contains(key);
    return v ? AsString(*v) : "";
}

int64_t Int(const bj::object& row, std::string_view key) {
    const bj::value* v = row.if_contains(key);
    return v ? AsInt(*v) : -1;
}

double GroupMetric(std::string_view prometheus_text, std::string_view name, std::string_view group) {
    const std::string label = "group=\"" + std::string(group) + "\"";
    return MetricSum(prometheus_text, "reservo_" + std::string(name), {label}).value_or(-1);
}

std::string JsonWith(const std::string& object, std::string_view key, bj::value value) {
    bj::object o = bj::parse(object).as_object();
    o[key] = std::move(value);
    return bj::serialize(o);
}

std::string JsonWithout(const std::string& object, std::string_view key) {
    bj::object o = bj::parse(object).as_object();
    o.erase(key);
    return bj::serialize(o);
}

void ExpectUnavailable(const Reply& r, const std::string& what) {
    EXPECT_EQ(r.status, 503) << what << ": " << r.Describe();
    EXPECT_FALSE(r.Header("Retry-After").empty()) << what << ": no Retry-After";
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << what;
}

// ---------------------------------------------------------------------------------------------
// SystemTest

std::unique_ptr<System> SystemTest::system_;

void SetDefaultBearer(std::string token) { Bearer() = std::move(token); }
const std::string& DefaultBearer() { return Bearer(); }

Reply RequestToken(int gateway_port, const std::string& form, const std::string& client) {
    http::Request req;
    req.method = "POST";
    req.target = "/oauth/token";
    req.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    if (!client.empty()) req.headers.Set("Authorization", "Basic " + auth::Base64Encode(client));
    req.body = form;
    Http http;
    return http.Call(gateway_port, std::move(req));
}

std::string UserToken(int gateway_port, const std::string& scope) {
    std::string form =
        "grant_type=password&username=" + std::string(kDemoUser) + "&password=" + std::string(kDemoPassword);
    if (!scope.empty()) form += "&scope=" + scope;
    Reply r = RequestToken(gateway_port, form);
    bj::value v = r.Json();
    if (r.status != 200 || !v.is_object() || !v.as_object().contains("access_token")) return {};
    return AsString(v.as_object().at("access_token"));
}

void SystemTest::StartSystem(SystemOptions options) {
    if (system_) {
        system_->Down();
        system_.reset();
    }
    SetDefaultBearer({});
    std::string error;
    system_ = System::Start(options, &error);
    if (!system_) FAIL() << error;
    // A system with a token service wants a bearer token on every call through its gateway.
    const auto& services = system_->services();
    if (std::find(services.begin(), services.end(), "oauth") != services.end()) {
        std::string token = UserToken(system_->gateway_port());
        if (token.empty()) {
            FAIL() << "no token from " << system_->name() << "'s oauth service: "
                   << RequestToken(system_->gateway_port(), "grant_type=client_credentials").Describe();
        }
        SetDefaultBearer(std::move(token));
    }
}

void SystemTest::TearDownTestSuite() {
    if (!system_) return;
    system_->Down();
    system_.reset();
}

void SystemTest::SetUp() {
    ASSERT_TRUE(system_) << "no system runs: the suite's SetUpTestSuite calls StartSystem({.system = ...}), "
                            "or the system did not start (see above)";
    // Back to the normal shape whatever an earlier (maybe failed) test left behind.
    Http http;
    for (const auto& service : system_->services()) http.Call(system_->PortOf(service), "DELETE", "/actuator/faults");
    bj::object status = system_->Status();
    if (const bj::value* processes = status.if_contains("processes"); processes && processes->is_array()) {
        for (const auto& p : processes->as_array()) {
            const bj::object& o = p.as_object();
            std::string service = AsString(o.at("service"));
            if (AsInt(o.at("replicas")) != 1) system_->ScaleService(service, 1);
            if (AsInt(o.at("ready")) == 0) system_->StartService(service);
        }
    }
    std::string why;
    ASSERT_TRUE(Eventually([&] { return system_->AllReady(&why); })) << why;
}

void SystemTest::TearDown() {
    if (HasFailure() && system_) system_->DumpLogs();
}

Reply SystemTest::Call(std::string method, std::string target, std::string body, Millis timeout) {
    return http_.Call(gateway(), std::move(method), std::move(target), std::move(body), timeout);
}

Reply SystemTest::CallService(std::string_view service, std::string method, std::string target, std::string body,
                              Millis timeout) {
    int port = PortOf(service);
    EXPECT_GT(port, 0) << system_->name() << " has no service '" << service << "'";
    if (port <= 0) return Reply{.error = "no service " + std::string(service)};
    return http_.Call(port, std::move(method), std::move(target), std::move(body), timeout);
}

std::string SystemTest::UniqueName(std::string_view prefix) const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info ? info->name() : "test";
    return std::string(prefix) + "-" + test + "-" + std::to_string(Rng()() % 1000000000);
}

// A calendar date `days` from today (UTC, as the services count days), YYYY-MM-DD.
std::string DaysFromToday(int days) {
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    std::chrono::year_month_day d{today + std::chrono::days(days)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

std::vector<bj::object> SystemTest::ListAll(std::string_view path, std::string_view embedded_name) {
    auto rows = TryListAll(gateway(), path, embedded_name);
    EXPECT_TRUE(rows) << path << ": a page did not answer 200";
    return rows ? std::move(*rows) : std::vector<bj::object>{};
}

std::optional<std::vector<bj::object>> SystemTest::TryListAll(int port, std::string_view path,
                                                              std::string_view embedded_name) {
    std::string_view collection = path.substr(0, path.find('?'));
    if (embedded_name.empty()) embedded_name = collection.substr(collection.rfind('/') + 1);
    std::vector<bj::object> rows;
    for (int page = 0; page < 1000; ++page) {
        Reply r = http_.Call(port, "GET",
                             std::string(path) + (path.find('?') == std::string_view::npos ? "?" : "&") +
                                 "size=2000&page=" + std::to_string(page));
        bj::value v = r.Json();
        if (r.status != 200 || !v.is_object()) return std::nullopt;
        const bj::object& o = v.as_object();
        if (const bj::value* embedded = o.if_contains("_embedded"); embedded && embedded->is_object()) {
            if (const bj::value* list = embedded->as_object().if_contains(embedded_name); list && list->is_array()) {
                for (const auto& row : list->as_array()) rows.push_back(row.as_object());
            }
        }
        const bj::value* info = o.if_contains("page");
        if (!info || !info->is_object()) return rows;
        if (page + 1 >= AsInt(info->as_object().at("totalPages"))) return rows;
    }
    return std::nullopt;
}

int64_t SystemTest::TotalElements(std::string_view path) { return TotalElements(gateway(), path); }

int64_t SystemTest::TotalElements(int port, std::string_view path) {
    Reply r =
        http_.Call(port, "GET", std::string(path) + (path.find('?') == std::string_view::npos ? "?" : "&") + "size=1");
    bj::value v = r.Json();
    if (r.status != 200 || !v.is_object()) return -1;
    const bj::value* page = v.as_object().if_contains("page");
    if (!page || !page->is_object()) return -1;
    return AsInt(page->as_object().at("totalElements"));
}

std::vector<bj::object> SystemTest::RowsWhere(std::string_view path, std::string_view field, std::string_view value) {
    std::vector<bj::object> out;
    for (auto& row : ListAll(path)) {
        const bj::value* v = row.if_contains(field);
        if (v && AsString(*v) == value) out.push_back(std::move(row));
    }
    return out;
}

std::vector<bj::object> SystemTest::ListBy(std::string_view collection, std::string_view field,
                                           std::string_view value) {
    std::string finder(field);
    if (!finder.empty()) finder[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(finder[0])));
    return ListAll(
        "/" + std::string(collection) + "/search/findBy" + finder + "?" + std::string(field) + "=" + std::string(value),
        collection);
}

std::vector<bj::object> SystemTest::ListBy(std::string_view collection, std::string_view field, int64_t value) {
    return ListBy(collection, field, std::to_string(value));
}

bj::object SystemTest::Get(const std::string& path) {
    Reply r = Call("GET", path);
    bj::value v = r.Json();
    return r.status == 200 && v.is_object() ? v.as_object() : bj::object{};
}

std::string SystemTest::Field(const std::string& path, std::string_view field) { return Str(Get(path), field); }

int64_t SystemTest::Create(const std::string& path, const std::string& body) {
    Reply r = Call("POST", path, body);
    EXPECT_EQ(r.status, 201) << "POST " << path << " " << body << ": " << r.Describe();
    bj::value v = r.Json();
    if (r.status != 201 || !v.is_object()) return -1;
    return Int(v.as_object(), "id");
}

std::string SystemTest::Metrics(std::string_view service) {
    Reply r = http_.Call(PortOf(service), "GET", "/actuator/prometheus");
    return r.status == 200 ? r.body : std::string();
}

std::optional<double> SystemTest::ServiceMetric(std::string_view service, std::string_view series) {
    return Metric(Metrics(service), series);
}

std::optional<double> SystemTest::ServiceMetricSum(std::string_view service, std::string_view name,
                                                   std::initializer_list<std::string_view> labels) {
    return MetricSum(Metrics(service), name, labels);
}

bool SystemTest::ConsumerCaughtUp(std::string_view service) {
    // Lag counts owned partitions only: right after a scale-down the survivor owns some of them
    // for up to one heartbeat, so caught up also means owning every partition (one replica).
    const std::string group = "group=\"" + std::string(service) + "\"";
    auto owned = ServiceMetricSum(service, "reservo_consumer_owned_partitions", {group});
    if (!owned || *owned != system_->partitions()) return false;
    auto lag = ServiceMetricSum(service, "reservo_consumer_lag", {group});
    if (!lag || *lag != 0) return false;
    if (!system_->kafka()) return true;
    // On Kafka the end offsets come from the last fetch response (a fetch interval old, ~100 ms on
    // the mock cluster): caught up means still caught up a few fetches later.
    std::this_thread::sleep_for(Millis(300));
    lag = ServiceMetricSum(service, "reservo_consumer_lag", {group});
    return lag && *lag == 0;
}

bool SystemTest::Settled(std::string_view producer, std::string_view consumer) {
    return ServiceMetricSum(producer, "reservo_outbox_backlog") == 0 && ConsumerCaughtUp(consumer);
}

bool SystemTest::AllSettled(std::initializer_list<std::string_view> producers,
                            std::initializer_list<std::string_view> consumers) {
    for (std::string_view producer : producers) {
        if (ServiceMetricSum(producer, "reservo_outbox_backlog") != 0) return false;
    }
    for (std::string_view consumer : consumers) {
        if (!ConsumerCaughtUp(consumer)) return false;
    }
    return true;
}

int64_t SystemTest::RollingRestart(std::string_view service, LoadLoop& load) {
    std::vector<pid_t> old_pids = system_->Pids(service);
    EXPECT_EQ(old_pids.size(), 1u) << service;
    if (old_pids.size() != 1 || !load.WaitSteps(20, 1s, 20s)) {
        ADD_FAILURE() << "no rolling restart of " << service << ": " << old_pids.size()
                      << " processes, or the load did not run (" << load.iterations() << " steps)";
        load.Stop();
        return -1;
    }
    int64_t before = load.iterations();
    RestartService(service);
    int64_t during = load.iterations() - before;
    std::vector<pid_t> new_pids = system_->Pids(service);
    EXPECT_TRUE(load.WaitSteps(40, 1s, 20s)) << "the load did not go on after the restart of " << service;
    load.Stop();
    EXPECT_EQ(new_pids.size(), 1u) << service;
    if (new_pids.size() == 1) {
        EXPECT_NE(new_pids[0], old_pids[0]) << "the process was not replaced";
    }
    EXPECT_GT(during, 0) << "no request ran during the restart";
    return during;
}

void SystemTest::ExpectNoDeadLetters() {
    for (const std::string& service : system_->services()) {
        auto parked = ServiceMetric(service, "reservo_dead_letters_total{group=\"" + service + "\"}");
        EXPECT_EQ(parked.value_or(0), 0) << service << " dead-lettered events";
    }
}

std::map<int64_t, std::string> SystemTest::ReplicaMetrics(std::string_view service, size_t want, int tries) {
    std::map<int64_t, std::string> seen;
    for (int i = 0; i < tries && seen.size() < want; ++i) {
        // The pid before and after the metrics, on one connection: all three from one process.
        http::Client client(http_.io(), "http://127.0.0.1:" + std::to_string(PortOf(service)));
        Reply a = http_.Call(client, "GET", "/actuator/info");
        Reply m = http_.Call(client, "GET", "/actuator/prometheus");
        Reply b = http_.Call(client, "GET", "/actuator/info");
        if (a.status != 200 || m.status != 200 || b.status != 200) continue;
        bj::value before = a.Json(), after = b.Json();
        if (!before.is_object() || !after.is_object()) continue;
        // Spring Boot's process info: {"process":{"pid":...}}
        auto pid_of = [](const bj::value& info) {
            const bj::value* process = info.as_object().if_contains("process");
            return process && process->is_object() ? Int(process->as_object(), "pid") : -1;
        };
        int64_t pid = pid_of(before);
        if (pid < 0 || pid != pid_of(after)) continue;
        seen[pid] = m.body;
    }
    return seen;
}

bool SystemTest::ReplicasSplit(const std::map<int64_t, std::string>& replicas, std::string_view group,
                               size_t want) const {
    if (replicas.size() != want) return false;
    double owned = 0;
    for (const auto& [pid, text] : replicas) {
        double mine = GroupMetric(text, "consumer_owned_partitions", group);
        if (mine <= 0 || GroupMetric(text, "consumer_lag", group) != 0) return false;
        owned += mine;
    }
    return owned == system_->partitions();
}

namespace {

void ExpectOk(const RunResult& r, const std::string& what) {
    EXPECT_EQ(r.exit_code, 0) << "reservo " << what << " → " << r.output;
}

}  // namespace

void SystemTest::StopService(std::string_view service) {
    ExpectOk(system_->StopService(service), "stop " + system_->Target(service));
}

void SystemTest::StartService(std::string_view service) {
    ExpectOk(system_->StartService(service), "start " + system_->Target(service));
}

void SystemTest::RestartService(std::string_view service) {
    ExpectOk(system_->RestartService(service), "restart " + system_->Target(service));
}

void SystemTest::ScaleService(std::string_view service, int replicas) {
    ExpectOk(system_->ScaleService(service, replicas),
             "scale " + system_->Target(service) + " " + std::to_string(replicas));
}

void SystemTest::ReservoOk(std::vector<std::string> args) {
    std::string text;
    for (const auto& a : args) text += a + " ";
    ExpectOk(system_->Reservo(std::move(args)), text);
}

}  // namespace reservo::e2e
