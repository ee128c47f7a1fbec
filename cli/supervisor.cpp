// The supervisor's event loop and what spans all services: the first start, the commands of
// the control socket, the shutdown in phases and the state file. Per-service work is in
// cli/supervisor/replica_set.* and cli/supervisor/operation.*.
#include "cli/supervisor.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>
#include <sstream>

#include "cli/control.hpp"
#include "cli/supervisor/control_server.hpp"
#include "cli/supervisor/operation.hpp"
#include "cli/supervisor/poll_set.hpp"
#include "cli/supervisor/posix.hpp"
#include "cli/supervisor/replica_set.hpp"
#include "cli/supervisor/state_file.hpp"

namespace reservo::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxReplicas = 64;
// Everything the loop waits for either has a descriptor or asks for its time (PollSet::WakeBy);
// the cap is a safety net, short only while a command or the shutdown advances step by step.
constexpr Millis kMaxPollWait{50};
constexpr Millis kIdlePollWait{1000};

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

std::vector<std::string> Split(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

// The replica count of `SCALE target N`, or -1 unless N is a whole number.
int ParseReplicas(const std::string& word) {
    try {
        size_t used = 0;
        int n = std::stoi(word, &used);
        return used == word.size() ? n : -1;
    } catch (...) {
        return -1;
    }
}

}  // namespace

struct Supervisor::Command {
    int client = -1;
    Operation operation;
};

Supervisor::Supervisor(std::vector<ProcessSpec> specs, SupervisorOptions options)
    : options_(std::move(options)), state_path_(StateFilePath(options_.data_dir)) {
    if (!options_.log) options_.log = DefaultLog;
    supervision_ = std::make_unique<Supervision>(Supervision{.options = options_});
    for (ProcessSpec& spec : specs) services_.push_back(std::make_unique<ReplicaSet>(std::move(spec), *supervision_));
    control_ = std::make_unique<ControlServer>(options_.data_dir,
                                               [this](int fd, const std::string& line) { Dispatch(fd, line); });
}

Supervisor::~Supervisor() {
    services_.clear();  // kills what still runs
    for (Command& command : commands_) CloseFd(command.client);
    for (int& fd : down_clients_) CloseFd(fd);
    control_.reset();
    CloseFd(wake_fd_);
}

Status Supervisor::Open() {
    std::error_code ec;
    fs::create_directories(options_.data_dir, ec);
    if (ec) return Fail(Code::kInternal, "cannot create " + options_.data_dir + ": " + ec.message());
    if (Status open = control_->Open(); !open) return open;
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Fail(Code::kInternal, Errno("eventfd"));
    for (auto& service : services_) {
        const ProcessSpec& spec = service->spec();
        if (spec.argv.empty()) return Fail(Code::kInvalidArgument, service->Target() + ": no command");
        if (!spec.log_path.empty()) {
            fs::create_directories(fs::path(spec.log_path).parent_path(), ec);
            if (ec) return Fail(Code::kInternal, "cannot create the log directory of " + spec.log_path);
        }
        if (Status listening = service->Listen(); !listening) return listening;
    }
    return Ok();
}

void Supervisor::RequestShutdown() {
    shutdown_requests_.fetch_add(1, std::memory_order_relaxed);
    uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

int Supervisor::Run(std::function<void(const Status&)> on_ready) {
    for (auto& service : services_) service->EnsureReplicas();
    auto ready_deadline = SteadyClock::now() + options_.ready_timeout;
    bool ready_reported = false;
    int exit_code = 0;
    while (!finished_) {
        PollOnce();
        for (auto& service : services_) service->Reap();
        Tick();
        if (!ready_reported && !supervision_->shutting_down) {
            bool all = std::all_of(services_.begin(), services_.end(),
                                   [&](const auto& s) { return s->stopped() || s->AllReady(); });
            if (all) {
                ready_reported = true;
                WriteState();
                supervision_->Log("all processes ready");
                if (on_ready) on_ready(Ok());
            } else if (SteadyClock::now() > ready_deadline) {
                ready_reported = true;
                std::string message =
                    "not ready after " + std::to_string(options_.ready_timeout.count() / 1000) + " s:";
                for (auto& s : services_) {
                    if (s->stopped() || s->AllReady()) continue;
                    message.append(" ").append(s->Target()).append(" (see ").append(s->spec().log_path).append(")");
                }
                supervision_->Log(message);
                exit_code = 1;
                if (on_ready) on_ready(Fail(Code::kDeadlineExceeded, message));
                BeginShutdown();
            }
        }
        if (supervision_->shutting_down && !ready_reported) {
            ready_reported = true;
            if (on_ready) on_ready(Fail(Code::kUnavailable, "stopped before every process was ready"));
        }
        if (supervision_->dirty) WriteState();
    }
    for (int fd : down_clients_) ControlServer::Reply(fd, true, "all processes stopped");
    down_clients_.clear();
    control_->Close();
    for (auto& service : services_) service->CloseListener();
    ::unlink(state_path_.c_str());
    supervision_->Log("stopped");
    return exit_code;
}

void Supervisor::PollOnce() {
    const bool steady = commands_.empty() && !supervision_->shutting_down;
    PollSet poll(SteadyClock::now(), steady ? kIdlePollWait : kMaxPollWait);
    poll.Add(wake_fd_, POLLIN, [this] {
        uint64_t value = 0;
        (void)!::read(wake_fd_, &value, sizeof value);
    });
    control_->Register(poll);
    for (auto& service : services_) service->Register(poll);
    poll.Wait();
}

void Supervisor::Tick() {
    auto now = SteadyClock::now();
    int requests = shutdown_requests_.load(std::memory_order_relaxed);
    if (requests > shutdown_handled_) {
        if (shutdown_handled_ == 0) {
            BeginShutdown();
        } else if (requests >= 2) {
            supervision_->Log("killing what is left");
            for (auto& service : services_) service->KillAll();
        }
        shutdown_handled_ = requests;
    }
    for (auto& service : services_) service->Tick(now);
    for (auto it = commands_.begin(); it != commands_.end();) {
        if (auto outcome = it->operation.Advance()) {
            ControlServer::Reply(it->client, outcome->ok, outcome->message);
            it = commands_.erase(it);
        } else {
            ++it;
        }
    }
    control_->DropIdle(now);
    if (supervision_->shutting_down) AdvanceShutdown();
}

ReplicaSet* Supervisor::FindService(const std::string& target, std::string& error) {
    ReplicaSet* found = nullptr;
    for (auto& service : services_) {
        bool match =
            target.find('/') == std::string::npos ? service->spec().name == target : service->Target() == target;
        if (!match) continue;
        if (found) {
            error = "ambiguous service " + target + "; name it SYSTEM/SERVICE";
            return nullptr;
        }
        found = service.get();
    }
    if (!found) {
        error = "unknown service " + target + "; known:";
        for (auto& service : services_) error.append(" ").append(service->Target());
    }
    return found;
}

// One request line of the control protocol (cli/control.hpp); `fd` is answered now, or when
// the operation it starts has finished.
void Supervisor::Dispatch(int fd, const std::string& line) {
    auto reply = [fd](bool ok, const std::string& message) { ControlServer::Reply(fd, ok, message); };
    std::vector<std::string> words = Split(line);
    if (words.empty()) return reply(false, "empty request");
    std::string command = words[0];
    std::transform(command.begin(), command.end(), command.begin(), [](unsigned char c) { return std::toupper(c); });
    if (command == "PING") return reply(true, "pong");
    if (command == "STATUS") return ControlServer::Reply(fd, true, "", StateJson() + "\n");
    if (supervision_->shutting_down) {
        if (command == "DOWN") return down_clients_.push_back(fd);
        return reply(false, "reservo is shutting down");
    }
    if (command == "DOWN") {
        down_clients_.push_back(fd);
        return BeginShutdown();
    }
    Operation::Kind kind;
    if (command == "STOP") {
        kind = Operation::Kind::kStop;
    } else if (command == "START") {
        kind = Operation::Kind::kStart;
    } else if (command == "RESTART") {
        kind = Operation::Kind::kRestart;
    } else if (command == "SCALE") {
        kind = Operation::Kind::kScale;
    } else {
        return reply(false, "unknown command " + words[0]);
    }
    size_t expected_words = kind == Operation::Kind::kScale ? 3 : 2;
    if (words.size() != expected_words) {
        return reply(false, kind == Operation::Kind::kScale ? "usage: SCALE SYSTEM/SERVICE N"
                                                            : "usage: " + command + " SYSTEM/SERVICE");
    }
    std::string error;
    ReplicaSet* service = FindService(words[1], error);
    if (!service) return reply(false, error);
    if (service->busy()) return reply(false, service->Target() + ": another command is still changing it");
    int replicas = 0;
    if (kind == Operation::Kind::kScale) {
        replicas = ParseReplicas(words[2]);
        if (replicas < 1 || replicas > kMaxReplicas) {
            return reply(false, "replicas must be between 1 and " + std::to_string(kMaxReplicas) +
                                    " (use stop to stop a service)");
        }
    }
    auto begun = Operation::Begin(kind, *service, replicas, *supervision_);
    if (auto* done = std::get_if<Operation::Outcome>(&begun)) return reply(done->ok, done->message);
    commands_.push_back(Command{fd, std::get<Operation>(std::move(begun))});
}

void Supervisor::BeginShutdown() {
    if (supervision_->shutting_down) return;
    supervision_->shutting_down = true;
    supervision_->dirty = true;
    supervision_->Log("stopping everything");
    for (Command& command : commands_) {
        ControlServer::Reply(command.client, false, "reservo is shutting down");
        command.operation.Abandon();
    }
    commands_.clear();
    shutdown_phase_ = std::numeric_limits<int>::min();
    AdvanceShutdown();
}

// Processes stop phase by phase (ProcessSpec::shutdown_phase, lowest first: the gateway takes
// no new requests before the services drain); a phase begins when no process of the one
// before is alive.
void Supervisor::AdvanceShutdown() {
    bool phase_alive = false;
    for (auto& service : services_) {
        if (service->spec().shutdown_phase == shutdown_phase_ && service->LiveProcesses() > 0) phase_alive = true;
    }
    if (phase_alive) return;
    int next = std::numeric_limits<int>::max();
    for (auto& service : services_) {
        if (service->spec().shutdown_phase > shutdown_phase_ && !service->replicas().empty()) {
            next = std::min(next, service->spec().shutdown_phase);
        }
    }
    if (next == std::numeric_limits<int>::max()) {
        bool anything =
            std::any_of(services_.begin(), services_.end(), [](const auto& s) { return !s->replicas().empty(); });
        if (!anything) finished_ = true;
        return;
    }
    shutdown_phase_ = next;
    for (auto& service : services_) {
        if (service->spec().shutdown_phase == next) service->StopReplicas();
    }
}

std::string Supervisor::StateJson() const {
    return cli::StateJson(services_, options_.data_dir, supervision_->shutting_down);
}

void Supervisor::WriteState() {
    supervision_->dirty = false;
    WriteStateFile(state_path_, StateJson());
}

}  // namespace reservo::cli
