#include "cli/supervisor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "cli/control.hpp"

extern char** environ;

namespace reservo::cli {

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr int kListenBacklog = 1024;
constexpr int kChildListenFd = 3;
constexpr int kChildReadyFd = 4;
constexpr size_t kMaxRequestLine = 4096;
constexpr int kMaxReplicas = 64;
constexpr Millis kMaxPollWait{50};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

int64_t ToMillis(SteadyClock::duration d) { return std::chrono::duration_cast<Millis>(d).count(); }

std::string DescribeExit(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::sigabbrev_np(WTERMSIG(status));
        return std::string("signal ") + (name ? std::string("SIG") + name : std::to_string(WTERMSIG(status)));
    }
    return "status " + std::to_string(status);
}

void CloseFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

void DefaultLog(std::string_view line) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    tm local{};
    ::localtime_r(&now.tv_sec, &local);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03ld", local.tm_hour, local.tm_min, local.tm_sec,
                  now.tv_nsec / 1000000);
    std::string text = std::string(stamp) + " reservo: " + std::string(line) + "\n";
    (void)!::write(STDERR_FILENO, text.data(), text.size());
}

// Where the supervisor reaches a socket bound to `bind_address`.
std::string ProbeHost(const std::string& bind_address) {
    return bind_address == "0.0.0.0" ? "127.0.0.1" : bind_address;
}

// The host part of the URL shown for a socket bound to `bind_address`.
std::string UrlHost(const std::string& bind_address) {
    return bind_address == "0.0.0.0" || bind_address == "127.0.0.1" ? "localhost" : bind_address;
}

// The state letter of /proc/PID/stat: R, S, D, T (stopped by a signal), t (stopped by a
// debugger), Z…; '?' when unknown.
char ProcessState(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    size_t paren = stat.rfind(')');  // the command name may contain anything, even ')'
    return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
}

std::vector<std::string> Split(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

}  // namespace

struct Supervisor::Replica {
    uint64_t id = 0;
    int index = 0;
    pid_t pid = -1;
    int pidfd = -1;
    int notify_fd = -1;
    std::string notify_buffer;
    ReplicaState state = ReplicaState::kWaiting;
    bool retiring = false;  // leaves for good when it exits (stop, scale down, replaced)
    bool surge = false;     // the new process of a rolling restart, until it is ready
    SteadyClock::time_point started_at{};
    SteadyClock::time_point restart_at{};
    SteadyClock::time_point kill_at{SteadyClock::time_point::max()};
    SteadyClock::time_point next_probe_at{};
    Millis backoff{0};
    HttpProbe probe;  // readiness, while starting
    // Liveness, while ready.
    HttpProbe liveness;
    uint64_t liveness_spawns = 0;  // Service::spawns when the probe began
    SteadyClock::time_point next_liveness_at{};
    int liveness_failures = 0;
};

struct Supervisor::Service {
    ProcessSpec spec;
    int listen_fd = -1;
    int desired = 1;
    bool stopped = false;
    bool busy = false;  // a command is changing it
    int restarts = 0;
    uint64_t spawns = 0;  // processes ever started on its port
    std::list<Replica> replicas;

    std::string Target() const { return spec.system + "/" + spec.name; }
};

struct Supervisor::Operation {
    enum class Kind { kStart, kStop, kRestart, kScale };
    enum class Step { kSpawn, kWaitReady, kWaitOld };
    Kind kind = Kind::kStart;
    Service* service = nullptr;
    int client = -1;
    SteadyClock::time_point deadline{};
    // Rolling restart progress.
    Step step = Step::kSpawn;
    int index = 0;
    uint64_t fresh_id = 0;
    uint64_t old_id = 0;
    std::vector<std::string> replaced;  // "old→new" pids
};

struct Supervisor::Client {
    int fd = -1;
    std::string buffer;
    SteadyClock::time_point deadline{};
};

Supervisor::Supervisor(std::vector<ProcessSpec> specs, SupervisorOptions options) : options_(std::move(options)) {
    if (!options_.log) options_.log = DefaultLog;
    for (ProcessSpec& spec : specs) {
        auto service = std::make_unique<Service>();
        service->spec = std::move(spec);
        services_.push_back(std::move(service));
    }
    socket_path_ = ControlSocketPath(options_.data_dir);
    state_path_ = StateFilePath(options_.data_dir);
}

Supervisor::~Supervisor() {
    for (auto& service : services_) {
        for (Replica& replica : service->replicas) {
            if (replica.pid > 0) {
                ::kill(replica.pid, SIGKILL);
                ::waitpid(replica.pid, nullptr, 0);
            }
            CloseFd(replica.pidfd);
            CloseFd(replica.notify_fd);
        }
        CloseFd(service->listen_fd);
    }
    for (Client& client : clients_) CloseFd(client.fd);
    for (Operation& op : operations_) CloseFd(op.client);
    for (int& fd : down_clients_) CloseFd(fd);
    if (control_fd_ >= 0) {
        CloseFd(control_fd_);
        ::unlink(socket_path_.c_str());
    }
    CloseFd(wake_fd_);
}

void Supervisor::Log(const std::string& line) const { options_.log(line); }

Status Supervisor::Open() {
    std::error_code ec;
    fs::create_directories(options_.data_dir, ec);
    if (ec) return Fail(Code::kInternal, "cannot create " + options_.data_dir + ": " + ec.message());

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path_.size() >= sizeof addr.sun_path) {
        return Fail(Code::kInvalidArgument, "data directory path too long for a unix socket: " + socket_path_);
    }
    std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    if (fs::exists(fs::symlink_status(socket_path_))) {
        if (SendControl(options_.data_dir, "PING", Millis(2000))) {
            return Fail(Code::kAlreadyExists,
                        "another `reservo up` is already running with --data " + options_.data_dir);
        }
        ::unlink(socket_path_.c_str());  // left behind by a supervisor that died
    }
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Fail(Code::kInternal, Errno("eventfd"));
    int control = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (control < 0) return Fail(Code::kInternal, Errno("socket"));
    if (::bind(control, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(control, 64) != 0) {
        std::string message = Errno("control socket " + socket_path_);
        ::close(control);
        return Fail(Code::kUnavailable, message);
    }
    control_fd_ = control;

    for (auto& service : services_) {
        const ProcessSpec& spec = service->spec;
        if (spec.argv.empty()) return Fail(Code::kInvalidArgument, service->Target() + ": no command");
        if (!spec.log_path.empty()) {
            fs::create_directories(fs::path(spec.log_path).parent_path(), ec);
            if (ec) return Fail(Code::kInternal, "cannot create the log directory of " + spec.log_path);
        }
        if (auto st = OpenListener(*service); !st) return st;
    }
    return Ok();
}

// Creates the service's listening socket; children inherit it, so replicas share one accept queue.
Status Supervisor::OpenListener(Service& service) {
    const ProcessSpec& spec = service.spec;
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(static_cast<uint16_t>(spec.port));
    if (::inet_pton(AF_INET, spec.bind_address.c_str(), &in.sin_addr) != 1) {
        return Fail(Code::kInvalidArgument,
                    service.Target() + ": bad bind address '" + spec.bind_address + "' (an IPv4 address is expected)");
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(Code::kInternal, Errno("socket"));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0) {
        std::string message = service.Target() + ": cannot listen on " + spec.bind_address + ":" +
                              std::to_string(spec.port) + " (" + std::strerror(errno) + ")";
        ::close(fd);
        return Fail(Code::kUnavailable, message);
    }
    if (::listen(fd, kListenBacklog) != 0) {
        std::string message = Errno(service.Target() + ": listen");
        ::close(fd);
        return Fail(Code::kUnavailable, message);
    }
    service.listen_fd = fd;
    return Ok();
}

void Supervisor::RequestShutdown() {
    shutdown_requests_.fetch_add(1, std::memory_order_relaxed);
    uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

Supervisor::Replica& Supervisor::AddReplica(Service& service, int index, bool surge) {
    Replica& replica = service.replicas.emplace_back();
    replica.id = next_replica_id_++;
    replica.index = index;
    replica.surge = surge;
    replica.backoff = options_.backoff_initial;
    return replica;
}

void Supervisor::EnsureReplicas(Service& service) {
    for (int index = 0; index < service.desired; ++index) {
        bool present = std::any_of(service.replicas.begin(), service.replicas.end(),
                                   [&](const Replica& r) { return r.index == index && !r.retiring; });
        if (!present) Spawn(service, AddReplica(service, index, false));
    }
}

void Supervisor::Spawn(Service& service, Replica& replica) {
    const ProcessSpec& spec = service.spec;
    dirty_ = true;
    replica.state = ReplicaState::kStarting;
    replica.started_at = SteadyClock::now();
    replica.next_probe_at = replica.started_at;
    replica.kill_at = SteadyClock::time_point::max();
    replica.notify_buffer.clear();

    // Everything the child needs is prepared here: between fork and exec only
    // async-signal-safe calls are allowed (the supervisor may have threads).
    std::vector<std::string> env_storage;
    auto overridden = [&](std::string_view entry) {
        auto is = [&](std::string_view key) {
            return entry.starts_with(key) && entry.size() > key.size() && entry[key.size()] == '=';
        };
        if (is("RESERVO_LISTEN_FD") || is("RESERVO_READY_FD") || is("RESERVO_REPLICA") || is("RESERVO_REPLICAS")) {
            return true;
        }
        return std::any_of(spec.env.begin(), spec.env.end(), [&](const auto& kv) { return is(kv.first); });
    };
    for (char** e = environ; e && *e; ++e) {
        if (!overridden(*e)) env_storage.emplace_back(*e);
    }
    for (const auto& [key, value] : spec.env) env_storage.push_back(key + "=" + value);
    env_storage.push_back("RESERVO_LISTEN_FD=" + std::to_string(kChildListenFd));
    env_storage.push_back("RESERVO_READY_FD=" + std::to_string(kChildReadyFd));
    env_storage.push_back("RESERVO_REPLICA=" + std::to_string(replica.index));
    env_storage.push_back("RESERVO_REPLICAS=" + std::to_string(service.desired));
    std::vector<char*> envp;
    for (std::string& entry : env_storage) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_storage = spec.argv;
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string exec_failed = "reservo: cannot execute " + spec.argv[0] + "\n";

    int log_fd = ::open(spec.log_path.empty() ? "/dev/null" : spec.log_path.c_str(),
                        O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int ready_pipe[2] = {-1, -1};
    if (log_fd < 0 || ::pipe2(ready_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        Log(Errno(service.Target() + ": cannot prepare the process (" + spec.log_path + ")"));
        CloseFd(log_fd);
        CloseFd(ready_pipe[0]);
        CloseFd(ready_pipe[1]);
        replica.state = ReplicaState::kWaiting;
        replica.restart_at = SteadyClock::now() + options_.backoff_max;
        return;
    }
    // The child's end blocks so a `ready` write is never lost.
    ::fcntl(ready_pipe[1], F_SETFL, 0);
    pid_t parent = ::getpid();
    int listen_fd = service.listen_fd;

    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);  // Ctrl-C reaches the supervisor only; it stops children in order
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT}) ::sigaction(sig, &dfl, nullptr);
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        int listen_copy = ::fcntl(listen_fd, F_DUPFD_CLOEXEC, 16);
        int ready_copy = ::fcntl(ready_pipe[1], F_DUPFD_CLOEXEC, 16);
        ::dup2(listen_copy, kChildListenFd);
        ::dup2(ready_copy, kChildReadyFd);
        ::close_range(kChildReadyFd + 1, ~0U, 0);
        ::execve(argv[0], argv.data(), envp.data());
        (void)!::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
        ::_exit(127);
    }
    ::close(log_fd);
    ::close(ready_pipe[1]);
    if (pid < 0) {
        Log(Errno(service.Target() + ": fork"));
        ::close(ready_pipe[0]);
        replica.state = ReplicaState::kWaiting;
        replica.restart_at = SteadyClock::now() + options_.backoff_max;
        return;
    }
    ++service.spawns;
    replica.pid = pid;
    replica.pidfd = PidfdOpen(pid);
    replica.notify_fd = ready_pipe[0];
    Log(service.Target() + ": started pid " + std::to_string(pid) +
        (service.desired > 1 || replica.index > 0 ? " (replica " + std::to_string(replica.index) + ")" : "") + " on " +
        spec.bind_address + ":" + std::to_string(spec.port));
}

void Supervisor::StopReplica(Service& service, Replica& replica) {
    dirty_ = true;
    replica.retiring = true;
    if (replica.pid <= 0) return;  // waiting for a restart: swept by Tick
    if (replica.state != ReplicaState::kStopping) {
        ::kill(replica.pid, SIGTERM);
        ::kill(replica.pid, SIGCONT);  // a stopped process handles SIGTERM (and drains) once continued
        replica.liveness = HttpProbe();
        replica.state = ReplicaState::kStopping;
        replica.kill_at = SteadyClock::now() + options_.drain_timeout;
        Log(service.Target() + ": stopping pid " + std::to_string(replica.pid));
    }
}

void Supervisor::MarkReady(Service& service, Replica& replica, const char* how) {
    if (replica.state != ReplicaState::kStarting) return;
    replica.state = ReplicaState::kReady;
    replica.probe = HttpProbe();
    replica.liveness_failures = 0;
    replica.next_liveness_at = SteadyClock::now() + options_.liveness_period;
    dirty_ = true;
    Log(service.Target() + ": pid " + std::to_string(replica.pid) + " ready in " +
        std::to_string(ToMillis(SteadyClock::now() - replica.started_at)) + " ms (" + how + ")");
}

void Supervisor::OnExit(Service& service, Replica& replica, int status) {
    dirty_ = true;
    CloseFd(replica.pidfd);
    CloseFd(replica.notify_fd);
    replica.probe = HttpProbe();
    replica.liveness = HttpProbe();
    pid_t pid = replica.pid;
    replica.pid = -1;
    std::string who = service.Target() + ": pid " + std::to_string(pid);
    bool expected = shutting_down_ || replica.retiring || service.stopped || replica.state == ReplicaState::kStopping;
    if (expected) {
        Log(who + " exited (" + DescribeExit(status) + ")");
        replica.retiring = true;  // swept by Tick
        return;
    }
    if (replica.surge) {
        Log(who + " (new process) exited before it was ready (" + DescribeExit(status) + "); see " +
            service.spec.log_path);
        replica.retiring = true;
        return;
    }
    ++service.restarts;
    auto now = SteadyClock::now();
    if (now - replica.started_at >= options_.backoff_reset_after) replica.backoff = options_.backoff_initial;
    Millis delay = replica.backoff;
    replica.backoff = std::min(options_.backoff_max, replica.backoff * 2);
    std::string what = replica.state == ReplicaState::kUnhealthy
                           ? " was killed after failing its liveness checks"
                           : " exited unexpectedly (" + DescribeExit(status) + ")";
    replica.state = ReplicaState::kWaiting;
    replica.restart_at = now + delay;
    Log(who + what + "; restarting in " + std::to_string(delay.count()) + " ms; see " + service.spec.log_path);
}

bool Supervisor::AllReady(const Service& service) const {
    int ready = 0;
    for (const Replica& r : service.replicas) {
        if (r.retiring) continue;
        if (r.state != ReplicaState::kReady) return false;
        ++ready;
    }
    return ready >= service.desired;
}

int Supervisor::LiveProcesses(const Service& service) const {
    return static_cast<int>(
        std::count_if(service.replicas.begin(), service.replicas.end(), [](const Replica& r) { return r.pid > 0; }));
}

Supervisor::Service* Supervisor::FindService(const std::string& target, std::string& error) {
    Service* found = nullptr;
    for (auto& service : services_) {
        bool match = target.find('/') == std::string::npos ? service->spec.name == target : service->Target() == target;
        if (!match) continue;
        if (found) {
            error = "ambiguous service " + target + "; name it SYSTEM/SERVICE";
            return nullptr;
        }
        found = service.get();
    }
    if (!found) {
        error = "unknown service " + target + "; known:";
        for (auto& service : services_) error += " " + service->Target();
    }
    return found;
}

void Supervisor::Reply(int fd, bool ok, const std::string& message, const std::string& body) {
    if (fd < 0) return;
    std::string text = std::string(ok ? "OK" : "ERR") + (message.empty() ? "" : " " + message) + "\n" + body;
    // Replies are small; the socket buffer takes them without blocking for long.
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    for (size_t sent = 0; sent < text.size();) {
        ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    ::close(fd);
}

void Supervisor::Dispatch(int fd, const std::string& line) {
    std::vector<std::string> words = Split(line);
    if (words.empty()) return Reply(fd, false, "empty request");
    std::string command = words[0];
    std::transform(command.begin(), command.end(), command.begin(), [](unsigned char c) { return std::toupper(c); });
    if (command == "PING") return Reply(fd, true, "pong");
    if (command == "STATUS") return Reply(fd, true, "", StateJson() + "\n");
    if (shutting_down_) {
        if (command == "DOWN") return down_clients_.push_back(fd);
        return Reply(fd, false, "reservo is shutting down");
    }
    if (command == "DOWN") {
        down_clients_.push_back(fd);
        return BeginShutdown();
    }
    bool known = command == "STOP" || command == "START" || command == "RESTART" || command == "SCALE";
    if (!known) return Reply(fd, false, "unknown command " + words[0]);
    size_t expected_words = command == "SCALE" ? 3 : 2;
    if (words.size() != expected_words) {
        return Reply(fd, false,
                     command == "SCALE" ? "usage: SCALE SYSTEM/SERVICE N" : "usage: " + command + " SYSTEM/SERVICE");
    }
    std::string error;
    Service* service = FindService(words[1], error);
    if (!service) return Reply(fd, false, error);
    if (service->busy) return Reply(fd, false, service->Target() + ": another command is still changing it");

    auto now = SteadyClock::now();
    Operation op;
    op.service = service;
    op.client = fd;
    if (command == "STOP") {
        op.kind = Operation::Kind::kStop;
        service->stopped = true;
        for (Replica& replica : service->replicas) StopReplica(*service, replica);
        op.deadline = now + options_.drain_timeout * 2;
    } else if (command == "START") {
        op.kind = Operation::Kind::kStart;
        if (service->stopped) Log(service->Target() + ": starting");
        service->stopped = false;
        if (service->listen_fd < 0) {
            if (auto st = OpenListener(*service); !st) {
                service->busy = false;
                return Reply(fd, false, st.error().message);
            }
        }
        EnsureReplicas(*service);
        op.deadline = now + options_.ready_timeout;
    } else if (command == "RESTART") {
        if (service->stopped) return Reply(fd, false, service->Target() + " is stopped; use start");
        op.kind = Operation::Kind::kRestart;
        Log(service->Target() + ": rolling restart");
    } else {
        int n = 0;
        try {
            size_t used = 0;
            n = std::stoi(words[2], &used);
            if (used != words[2].size()) n = -1;
        } catch (...) {
            n = -1;
        }
        if (n < 1 || n > kMaxReplicas) {
            return Reply(
                fd, false,
                "replicas must be between 1 and " + std::to_string(kMaxReplicas) + " (use stop to stop a service)");
        }
        service->desired = n;
        dirty_ = true;
        if (service->stopped) {
            return Reply(
                fd, true,
                service->Target() + " is stopped; it will run " + std::to_string(n) + " replica(s) when started");
        }
        op.kind = Operation::Kind::kScale;
        Log(service->Target() + ": scaling to " + std::to_string(n));
        for (Replica& replica : service->replicas) {
            if (replica.index >= n) StopReplica(*service, replica);
        }
        EnsureReplicas(*service);
        op.deadline = now + options_.ready_timeout + options_.drain_timeout;
    }
    service->busy = true;
    operations_.push_back(std::move(op));
}

bool Supervisor::AdvanceOperation(Operation& op) {
    Service& service = *op.service;
    auto now = SteadyClock::now();
    auto pids = [&] {
        std::string out;
        for (const Replica& r : service.replicas) {
            if (r.pid > 0 && !r.retiring) out += (out.empty() ? "" : ",") + std::to_string(r.pid);
        }
        return out.empty() ? std::string("-") : out;
    };
    auto finish = [&](bool ok, const std::string& message) {
        Reply(op.client, ok, message);
        op.client = -1;
        service.busy = false;
        return true;
    };
    switch (op.kind) {
        case Operation::Kind::kStop:
            if (service.replicas.empty()) {
                // A stopped service refuses connections, so callers fail fast instead of waiting in the queue.
                CloseFd(service.listen_fd);
                return finish(true, service.Target() + " stopped");
            }
            if (now > op.deadline) return finish(false, service.Target() + ": processes did not exit");
            return false;
        case Operation::Kind::kStart:
            if (AllReady(service)) return finish(true, service.Target() + " ready: pid " + pids());
            if (now > op.deadline) {
                return finish(false, service.Target() + " not ready after " +
                                         std::to_string(options_.ready_timeout.count() / 1000) + " s; see " +
                                         service.spec.log_path);
            }
            return false;
        case Operation::Kind::kScale: {
            bool draining = std::any_of(service.replicas.begin(), service.replicas.end(),
                                        [](const Replica& r) { return r.retiring; });
            if (AllReady(service) && !draining) {
                return finish(true,
                              service.Target() + " scaled to " + std::to_string(service.desired) + ": pids " + pids());
            }
            if (now > op.deadline) return finish(false, service.Target() + ": scaling did not finish in time");
            return false;
        }
        case Operation::Kind::kRestart:
            break;
    }
    auto find = [&](uint64_t id) -> Replica* {
        for (Replica& r : service.replicas) {
            if (r.id == id) return &r;
        }
        return nullptr;
    };
    for (;;) {
        if (op.step == Operation::Step::kSpawn) {
            if (op.index >= service.desired) {
                std::string replaced;
                for (const std::string& r : op.replaced) replaced += (replaced.empty() ? "" : ", ") + r;
                return finish(true, service.Target() + " restarted: pid " + replaced);
            }
            op.old_id = 0;
            for (Replica& r : service.replicas) {
                if (r.index == op.index && !r.retiring && !r.surge) op.old_id = r.id;
            }
            Replica& fresh = AddReplica(service, op.index, true);
            op.fresh_id = fresh.id;
            Spawn(service, fresh);
            op.step = Operation::Step::kWaitReady;
            op.deadline = now + options_.ready_timeout;
            return false;
        }
        if (op.step == Operation::Step::kWaitReady) {
            Replica* fresh = find(op.fresh_id);
            if (!fresh || fresh->retiring) {
                return finish(false, service.Target() + ": the new process exited before it was ready; the old one " +
                                         "keeps serving; see " + service.spec.log_path);
            }
            if (fresh->state != ReplicaState::kReady) {
                if (now <= op.deadline) return false;
                StopReplica(service, *fresh);
                return finish(false, service.Target() + ": the new process was not ready after " +
                                         std::to_string(options_.ready_timeout.count() / 1000) +
                                         " s; the old one keeps serving; see " + service.spec.log_path);
            }
            fresh->surge = false;
            Replica* old = find(op.old_id);
            std::string old_pid = old && old->pid > 0 ? std::to_string(old->pid) : "-";
            op.replaced.push_back(old_pid + "→" + std::to_string(fresh->pid));
            if (old) StopReplica(service, *old);
            op.step = Operation::Step::kWaitOld;
            continue;
        }
        // kWaitOld: the old process drains; SIGKILL after the drain timeout bounds this.
        if (find(op.old_id)) return false;
        ++op.index;
        op.step = Operation::Step::kSpawn;
    }
}

void Supervisor::BeginShutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    dirty_ = true;
    Log("stopping everything");
    for (Operation& op : operations_) {
        Reply(op.client, false, "reservo is shutting down");
        op.service->busy = false;
    }
    operations_.clear();
    shutdown_phase_ = std::numeric_limits<int>::min();
    AdvanceShutdown();
}

void Supervisor::AdvanceShutdown() {
    // The current phase is over when none of its processes is alive.
    bool phase_alive = false;
    for (auto& service : services_) {
        if (service->spec.shutdown_phase == shutdown_phase_ && LiveProcesses(*service) > 0) phase_alive = true;
    }
    if (phase_alive) return;
    int next = std::numeric_limits<int>::max();
    for (auto& service : services_) {
        if (service->spec.shutdown_phase > shutdown_phase_ && !service->replicas.empty()) {
            next = std::min(next, service->spec.shutdown_phase);
        }
    }
    if (next == std::numeric_limits<int>::max()) {
        bool anything =
            std::any_of(services_.begin(), services_.end(), [](const auto& s) { return !s->replicas.empty(); });
        if (!anything) finished_ = true;
        return;
    }
    shutdown_phase_ = next;
    for (auto& service : services_) {
        if (service->spec.shutdown_phase != next) continue;
        for (Replica& replica : service->replicas) StopReplica(*service, replica);
    }
}

void Supervisor::Probe(Service& service, Replica& replica) {
    auto now = SteadyClock::now();
    if (!replica.probe.Active()) {
        if (now < replica.next_probe_at) return;
        if (!replica.probe.Start(ProbeHost(service.spec.bind_address), service.spec.port, options_.readiness_path,
                                 options_.probe_timeout)) {
            replica.next_probe_at = now + options_.probe_interval;
            return;
        }
    }
    auto done = replica.probe.Advance();
    if (!done) return;
    replica.next_probe_at = SteadyClock::now() + options_.probe_interval;
    if (!*done || (*done)->status != 200) return;
    // With several processes on the port, the 200 may have come from another one.
    bool alone = LiveProcesses(service) == 1;
    bool trusted_late = !notify_seen_ && now - replica.started_at >= options_.unnotified_grace;
    if (alone || trusted_late) MarkReady(service, replica, "readiness probe");
}

// The replicas of a service share one listening socket, so a request to the port reaches
// whichever process accepts it first: an answer, or its absence, says something about one
// replica only while that replica is the only process on the port. Hence, once per period:
//  - a process the kernel reports stopped (state T) fails the check, however many replicas;
//  - else, while it is the only process on the port (and no other was started during the
//    probe), `GET liveness_path` decides: a 2xx/3xx answer within the timeout passes;
//  - else (several processes) the check passes: no answer on the shared port can be pinned on
//    this replica, and blaming it for a sibling's silence could kill a healthy process.
// A process stopped by a debugger (state t) is left alone.
void Supervisor::CheckLiveness(Service& service, Replica& replica) {
    auto now = SteadyClock::now();
    if (!replica.liveness.Active()) {
        if (now < replica.next_liveness_at) return;
        replica.next_liveness_at = now + options_.liveness_period;
        char state = ProcessState(replica.pid);
        if (state == 't') return;
        if (state == 'T') return LivenessVerdict(service, replica, false, "the process is stopped");
        if (LiveProcesses(service) != 1) return LivenessVerdict(service, replica, true, {});
        replica.liveness_spawns = service.spawns;
        if (Status started = replica.liveness.Start(ProbeHost(service.spec.bind_address), service.spec.port,
                                                    options_.liveness_path, options_.liveness_timeout);
            !started) {
            return LivenessVerdict(service, replica, false, started.error().message);
        }
    }
    auto done = replica.liveness.Advance();
    if (!done) return;
    // Another process may have taken the connection since the probe began.
    if (service.spawns != replica.liveness_spawns || LiveProcesses(service) != 1) return;
    if (!*done) return LivenessVerdict(service, replica, false, done->error().message);
    int status = (*done)->status;
    LivenessVerdict(service, replica, status >= 200 && status < 400, "status " + std::to_string(status));
}

void Supervisor::LivenessVerdict(Service& service, Replica& replica, bool alive, const std::string& why) {
    if (alive) {
        replica.liveness_failures = 0;
        return;
    }
    if (++replica.liveness_failures < options_.liveness_failure_threshold) return;
    // SIGKILL: a hung process may never handle SIGTERM, and it ends a stopped process too.
    Log(service.Target() + " pid " + std::to_string(replica.pid) + " failed " +
        std::to_string(replica.liveness_failures) + " liveness probes; replacing it (last: " + why + ")");
    replica.liveness = HttpProbe();
    replica.liveness_failures = 0;
    replica.state = ReplicaState::kUnhealthy;
    dirty_ = true;
    ::kill(replica.pid, SIGKILL);
}

void Supervisor::ReadNotify(Service& service, Replica& replica) {
    char buffer[256];
    for (;;) {
        ssize_t n = ::read(replica.notify_fd, buffer, sizeof buffer);
        if (n > 0) {
            replica.notify_buffer.append(buffer, static_cast<size_t>(n));
            if (replica.notify_buffer.size() > 4096) replica.notify_buffer.erase(0, 2048);
            continue;
        }
        if (n == 0) CloseFd(replica.notify_fd);  // closed without a word (or exited)
        break;
    }
    if (replica.notify_buffer.find("ready") != std::string::npos) {
        notify_seen_ = true;
        MarkReady(service, replica, "notified");
        CloseFd(replica.notify_fd);
    }
}

void Supervisor::AcceptClients() {
    for (;;) {
        int fd = ::accept4(control_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        clients_.push_back(Client{fd, {}, SteadyClock::now() + Millis(5000)});
    }
}

void Supervisor::ReadClient(Client& client) {
    char buffer[1024];
    for (;;) {
        ssize_t n = ::read(client.fd, buffer, sizeof buffer);
        if (n > 0) {
            client.buffer.append(buffer, static_cast<size_t>(n));
            size_t eol = client.buffer.find('\n');
            if (eol != std::string::npos) {
                std::string line = client.buffer.substr(0, eol);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                int fd = std::exchange(client.fd, -1);
                Dispatch(fd, line);
                return;
            }
            if (client.buffer.size() > kMaxRequestLine) return Reply(std::exchange(client.fd, -1), false, "too long");
            continue;
        }
        if (n == 0) CloseFd(client.fd);
        return;
    }
}

void Supervisor::PollOnce() {
    std::vector<pollfd> fds;
    enum class Kind { kWake, kControl, kClient, kPidfd, kNotify, kProbe, kLiveness };
    struct Ref {
        Kind kind;
        Service* service = nullptr;
        Replica* replica = nullptr;
        Client* client = nullptr;
    };
    std::vector<Ref> refs;
    auto add = [&](int fd, short events, Ref ref) {
        fds.push_back(pollfd{fd, events, 0});
        refs.push_back(ref);
    };
    add(wake_fd_, POLLIN, {Kind::kWake});
    if (control_fd_ >= 0) add(control_fd_, POLLIN, {Kind::kControl});
    for (Client& client : clients_) add(client.fd, POLLIN, {Kind::kClient, nullptr, nullptr, &client});
    auto now = SteadyClock::now();
    auto wake_at = now + kMaxPollWait;
    for (auto& service : services_) {
        for (Replica& replica : service->replicas) {
            if (replica.pidfd >= 0) add(replica.pidfd, POLLIN, {Kind::kPidfd, service.get(), &replica});
            if (replica.notify_fd >= 0 && replica.state == ReplicaState::kStarting) {
                add(replica.notify_fd, POLLIN, {Kind::kNotify, service.get(), &replica});
            }
            if (replica.state == ReplicaState::kStarting) {
                if (replica.probe.Active()) {
                    add(replica.probe.Fd(), replica.probe.Events(), {Kind::kProbe, service.get(), &replica});
                } else {
                    wake_at = std::min(wake_at, replica.next_probe_at);
                }
            }
            if (replica.state == ReplicaState::kReady && LivenessOn()) {
                if (replica.liveness.Active()) {
                    add(replica.liveness.Fd(), replica.liveness.Events(), {Kind::kLiveness, service.get(), &replica});
                } else {
                    wake_at = std::min(wake_at, replica.next_liveness_at);
                }
            }
            if (replica.state == ReplicaState::kWaiting && !replica.retiring) {
                wake_at = std::min(wake_at, replica.restart_at);
            }
        }
    }
    int timeout = static_cast<int>(std::clamp<int64_t>(ToMillis(wake_at - now) + 1, 0, kMaxPollWait.count()));
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n <= 0) return;
    for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Ref& ref = refs[i];
        switch (ref.kind) {
            case Kind::kWake: {
                uint64_t value = 0;
                (void)!::read(wake_fd_, &value, sizeof value);
                break;
            }
            case Kind::kControl:
                AcceptClients();
                break;
            case Kind::kClient:
                ReadClient(*ref.client);
                break;
            case Kind::kPidfd:
                break;  // Reap() collects it
            case Kind::kNotify:
                if (ref.replica->pid > 0) ReadNotify(*ref.service, *ref.replica);
                break;
            case Kind::kProbe:
                if (ref.replica->state == ReplicaState::kStarting) Probe(*ref.service, *ref.replica);
                break;
            case Kind::kLiveness:
                if (ref.replica->state == ReplicaState::kReady && LivenessOn()) {
                    CheckLiveness(*ref.service, *ref.replica);
                }
                break;
        }
    }
}

void Supervisor::Reap() {
    for (auto& service : services_) {
        for (Replica& replica : service->replicas) {
            if (replica.pid <= 0) continue;
            int status = 0;
            pid_t r = ::waitpid(replica.pid, &status, WNOHANG);
            if (r == replica.pid) {
                OnExit(*service, replica, status);
            } else if (r < 0 && errno == ECHILD) {
                OnExit(*service, replica, 0);
            }
        }
    }
}

void Supervisor::Tick() {
    auto now = SteadyClock::now();
    int requests = shutdown_requests_.load(std::memory_order_relaxed);
    if (requests > shutdown_handled_) {
        if (shutdown_handled_ == 0) {
            BeginShutdown();
        } else if (requests >= 2) {
            Log("killing what is left");
            for (auto& service : services_) {
                for (Replica& replica : service->replicas) {
                    if (replica.pid > 0) ::kill(replica.pid, SIGKILL);
                }
            }
        }
        shutdown_handled_ = requests;
    }
    for (auto& service : services_) {
        for (Replica& replica : service->replicas) {
            if (replica.state == ReplicaState::kStarting && replica.pid > 0) {
                if (replica.notify_fd >= 0) ReadNotify(*service, replica);
                if (replica.state == ReplicaState::kStarting) Probe(*service, replica);
            }
            if (replica.state == ReplicaState::kReady && replica.pid > 0 && LivenessOn()) {
                CheckLiveness(*service, replica);
            }
            if (replica.pid > 0 && replica.state == ReplicaState::kStopping && now >= replica.kill_at) {
                Log(service->Target() + ": pid " + std::to_string(replica.pid) + " did not exit within " +
                    std::to_string(options_.drain_timeout.count()) + " ms; killing it");
                ::kill(replica.pid, SIGKILL);
                replica.kill_at = SteadyClock::time_point::max();
            }
            if (replica.state == ReplicaState::kWaiting && replica.pid <= 0 && !replica.retiring && !shutting_down_ &&
                !service->stopped && now >= replica.restart_at) {
                Spawn(*service, replica);
            }
        }
        auto before = service->replicas.size();
        service->replicas.remove_if([](const Replica& r) { return r.retiring && r.pid <= 0; });
        if (service->replicas.size() != before) dirty_ = true;
    }
    for (auto it = operations_.begin(); it != operations_.end();) {
        it = AdvanceOperation(*it) ? operations_.erase(it) : std::next(it);
    }
    clients_.remove_if([&](Client& client) {
        if (client.fd >= 0 && now > client.deadline) CloseFd(client.fd);
        return client.fd < 0;
    });
    if (shutting_down_) AdvanceShutdown();
}

int Supervisor::Run(std::function<void(const Status&)> on_ready) {
    for (auto& service : services_) EnsureReplicas(*service);
    auto ready_deadline = SteadyClock::now() + options_.ready_timeout;
    bool ready_reported = false;
    int exit_code = 0;
    while (!finished_) {
        PollOnce();
        Reap();
        Tick();
        if (!ready_reported && !shutting_down_) {
            bool all = std::all_of(services_.begin(), services_.end(),
                                   [&](const auto& s) { return s->stopped || AllReady(*s); });
            if (all) {
                ready_reported = true;
                WriteState();
                Log("all processes ready");
                if (on_ready) on_ready(Ok());
            } else if (SteadyClock::now() > ready_deadline) {
                ready_reported = true;
                std::string message =
                    "not ready after " + std::to_string(options_.ready_timeout.count() / 1000) + " s:";
                for (auto& s : services_) {
                    if (!s->stopped && !AllReady(*s)) message += " " + s->Target() + " (see " + s->spec.log_path + ")";
                }
                Log(message);
                exit_code = 1;
                if (on_ready) on_ready(Fail(Code::kDeadlineExceeded, message));
                BeginShutdown();
            }
        }
        if (shutting_down_ && !ready_reported) {
            ready_reported = true;
            if (on_ready) on_ready(Fail(Code::kUnavailable, "stopped before every process was ready"));
        }
        if (dirty_) WriteState();
    }
    for (int fd : down_clients_) Reply(fd, true, "all processes stopped");
    down_clients_.clear();
    for (Client& client : clients_) CloseFd(client.fd);
    clients_.clear();
    for (auto& service : services_) CloseFd(service->listen_fd);
    CloseFd(control_fd_);
    ::unlink(socket_path_.c_str());
    ::unlink(state_path_.c_str());
    Log("stopped");
    return exit_code;
}

std::string Supervisor::StateJson() const {
    bj::object root;
    root["supervisorPid"] = static_cast<int64_t>(::getpid());
    root["dataDir"] = options_.data_dir;
    root["state"] = shutting_down_ ? "stopping" : "running";
    bj::array processes;
    for (const auto& service : services_) {
        bj::object p;
        p["system"] = service->spec.system;
        p["service"] = service->spec.name;
        p["port"] = service->spec.port;
        p["bindAddress"] = service->spec.bind_address;
        p["url"] = "http://" + UrlHost(service->spec.bind_address) + ":" + std::to_string(service->spec.port);
        int ready = 0;
        bj::array pids;
        bj::array instances;
        for (const Replica& r : service->replicas) {
            const char* state = "starting";
            switch (r.state) {
                case ReplicaState::kWaiting:
                    state = "restarting";
                    break;
                case ReplicaState::kStarting:
                    state = "starting";
                    break;
                case ReplicaState::kReady:
                    state = "ready";
                    break;
                case ReplicaState::kUnhealthy:
                    state = "unhealthy";
                    break;
                case ReplicaState::kStopping:
                    state = "stopping";
                    break;
            }
            if (r.state == ReplicaState::kReady && !r.retiring) ++ready;
            if (r.pid > 0) pids.push_back(r.pid);
            bj::object instance;
            instance["replica"] = r.index;
            instance["pid"] = r.pid > 0 ? bj::value(r.pid) : bj::value(nullptr);
            instance["state"] = state;
            instances.push_back(std::move(instance));
        }
        std::string state;
        if (service->stopped) {
            state = service->replicas.empty() ? "stopped" : "stopping";
        } else if (shutting_down_) {
            state = "stopping";
        } else {
            state = AllReady(*service) ? "ready" : "starting";
        }
        p["state"] = state;
        p["replicas"] = service->stopped ? 0 : service->desired;
        p["ready"] = ready;
        p["pids"] = std::move(pids);
        p["restarts"] = service->restarts;
        p["log"] = service->spec.log_path;
        p["instances"] = std::move(instances);
        processes.push_back(std::move(p));
    }
    root["processes"] = std::move(processes);
    return bj::serialize(root);
}

void Supervisor::WriteState() {
    dirty_ = false;
    std::string tmp = state_path_ + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return;
        out << StateJson() << "\n";
    }
    std::error_code ec;
    fs::rename(tmp, state_path_, ec);
}

}  // namespace reservo::cli
