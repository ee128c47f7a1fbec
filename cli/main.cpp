// The `reservo` command: `serve` runs one service; `up` supervises whole systems; `status`,
// `stop`, `start`, `restart`, `scale` and `down` control a running `up` through --data, `logs`
// reads its processes' logs; `config` shows a system's effective settings; `completion bash`
// prints a bash completion script.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/catalog.hpp"
#include "cli/completion.hpp"
#include "cli/config_view.hpp"
#include "cli/control.hpp"
#include "cli/logs.hpp"
#include "cli/serve.hpp"
#include "cli/supervisor.hpp"
#include "cli/up_engines.hpp"
#include "cli/up_plan.hpp"
#include "kit/core/config_schema.hpp"
#include "kit/messaging/kafka_dev.hpp"
#include "kit/service/topology.hpp"

namespace {

namespace fs = std::filesystem;
using reservo::Result;
using reservo::Status;
using reservo::cli::ProcessSpec;
using reservo::cli::Supervisor;
using reservo::cli::SupervisorOptions;

std::atomic<Supervisor*> g_supervisor{nullptr};

extern "C" void OnShutdownSignal(int) {
    if (Supervisor* supervisor = g_supervisor.load()) supervisor->RequestShutdown();
}

std::atomic<bool> g_stop_logs{false};

extern "C" void OnStopLogs(int) { g_stop_logs.store(true); }

void InstallSignalHandlers(Supervisor& supervisor) {
    g_supervisor.store(&supervisor);
    struct sigaction action {};
    action.sa_handler = OnShutdownSignal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
}

int Error(const std::string& message) {
    std::cerr << "reservo: " << message << "\n";
    return 1;
}

std::string AbsoluteDir(const std::string& dir) { return fs::absolute(dir).lexically_normal().string(); }

std::string SelfExe() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "/proc/self/exe" : exe.string();
}

// The named systems' configurations, each checked as its processes will read it (with the port
// base `up` gives them), before anything starts: a typo stops `up` at once, naming the key, rather
// than a process that exits as it starts and is restarted again and again. kInvalidArgument lists
// every problem of every system, one line each, prefixed with the system.
Result<std::vector<reservo::cli::SystemToStart>> LoadNamedSystems(const std::vector<std::string>& names,
                                                                  std::optional<int> port_base) {
    std::vector<reservo::cli::SystemToStart> systems;
    std::string problems;
    for (size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        auto config = reservo::cli::LoadSystemConfig(name);
        if (!config) return reservo::Fail(config.error().code, name + ": " + config.error().message);
        reservo::Config effective = *config;
        if (port_base) {
            effective.Set("runtime.port-base",
                          std::to_string(*port_base + reservo::cli::kSystemPortStride * static_cast<int>(i)));
        }
        if (Status valid = reservo::cli::ValidateSystemConfig(name, effective); !valid) {
            std::istringstream lines(valid.error().message);
            for (std::string line; std::getline(lines, line);) problems += "  " + name + ": " + line + "\n";
        }
        systems.push_back({name, std::move(*config)});
    }
    if (!problems.empty()) return reservo::Fail(reservo::Code::kInvalidArgument, problems);
    return systems;
}

// The table of processes, then where each system's web console is.
std::string ReadyTable(const Supervisor& supervisor, const std::set<std::string>& with_console) {
    const std::string state = supervisor.StateJson();
    auto table = reservo::cli::FormatReadyTable(state);
    std::string consoles = reservo::cli::FormatConsoleLines(state, with_console);
    return (table ? *table : table.error().message + "\n") + (consoles.empty() ? "" : "\n" + consoles);
}

// What `up` started beside the processes (a local PostgreSQL), stopped when it ends.
void StopLocalEngines(const std::optional<reservo::store::LocalPostgres>& postgres) {
    if (!postgres) return;
    if (Status st = postgres->Stop(); !st) std::cerr << "reservo: " << st.error().message << "\n";
}

int UpForeground(std::vector<ProcessSpec> specs, const std::string& data_dir,
                 const std::optional<reservo::store::LocalPostgres>& postgres, const std::set<std::string>& consoles) {
    Supervisor supervisor(std::move(specs), SupervisorOptions{.data_dir = data_dir});
    if (Status open = supervisor.Open(); !open) return Error(open.error().message);
    InstallSignalHandlers(supervisor);
    int code = supervisor.Run([&](const Status& ready) {
        if (!ready) {
            std::cerr << "reservo: " << ready.error().message << "\n";
            return;
        }
        std::cout << ReadyTable(supervisor, consoles) << "\nAll ready. Ctrl-C stops everything; control with `reservo "
                  << "status|stop|start|restart|scale|down --data " << data_dir << "`.\n"
                  << std::flush;
    });
    g_supervisor.store(nullptr);
    StopLocalEngines(postgres);
    return code;
}

void WriteAll(int fd, const std::string& text) {
    for (size_t sent = 0; sent < text.size();) {
        ssize_t n = write(fd, text.data() + sent, text.size() - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
    }
}

// Forks a session-less supervisor whose output goes to DATA/reservo.log; the caller returns
// once every process is ready (or starting failed) and prints the table.
int UpDetached(std::vector<ProcessSpec> specs, const std::string& data_dir,
               const std::optional<reservo::store::LocalPostgres>& postgres, const std::set<std::string>& consoles) {
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec) return Error("cannot create " + data_dir + ": " + ec.message());
    std::string log_path = data_dir + "/reservo.log";
    std::cout << std::flush;
    std::cerr << std::flush;
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return Error(std::string("pipe: ") + std::strerror(errno));
    pid_t child = fork();
    if (child < 0) return Error(std::string("fork: ") + std::strerror(errno));
    if (child > 0) {
        close(report[1]);
        std::string text;
        char buffer[4096];
        for (;;) {
            ssize_t n = read(report[0], buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            text.append(buffer, static_cast<size_t>(n));
        }
        close(report[0]);
        waitpid(child, nullptr, 0);
        if (text.starts_with("OK\n")) {
            std::cout << text.substr(3) << std::flush;
            return 0;
        }
        if (text.starts_with("ERR ")) return Error(text.substr(4));
        return Error("the background supervisor exited before it was ready; see " + log_path);
    }
    // Intermediate child: new session, then fork again so the daemon is no session leader.
    close(report[0]);
    setsid();
    if (pid_t daemon = fork(); daemon != 0) _exit(daemon < 0 ? 1 : 0);
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if (log_fd >= 0) {
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
    }
    Supervisor supervisor(std::move(specs), SupervisorOptions{.data_dir = data_dir});
    if (Status open = supervisor.Open(); !open) {
        WriteAll(report[1], "ERR " + open.error().message + "\n");
        _exit(1);
    }
    InstallSignalHandlers(supervisor);
    int code = supervisor.Run([&](const Status& ready) {
        if (report[1] < 0) return;
        if (ready) {
            WriteAll(report[1], "OK\n" + ReadyTable(supervisor, consoles) +
                                    "\nreservo up runs in the background (pid " + std::to_string(getpid()) + ", log " +
                                    log_path + "); stop it with `reservo down --data " + data_dir + "`.\n");
        } else {
            WriteAll(report[1], "ERR " + ready.error().message + "\n");
        }
        close(report[1]);
        report[1] = -1;
    });
    StopLocalEngines(postgres);
    std::cout << std::flush;
    _exit(code);
}

int Control(const std::string& data_dir, const std::string& request) {
    auto reply = reservo::cli::SendControl(AbsoluteDir(data_dir), request);
    if (!reply) return Error(reply.error().message);
    if (!reply->ok) return Error(reply->message);
    if (!reply->message.empty()) std::cout << reply->message << "\n";
    return 0;
}

bool Alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// The pids the state file of DATA names (the supervisor's and every process's), and the local
// PostgreSQL's (DATA/postgres/postmaster.pid): what may still run there.
std::vector<pid_t> RecordedPids(const std::string& data_dir) {
    std::vector<pid_t> pids;
    std::ifstream state_file(reservo::cli::StateFilePath(data_dir));
    std::stringstream text;
    text << state_file.rdbuf();
    boost::system::error_code ec;
    auto state = boost::json::parse(text.str(), ec);
    if (!ec && state.is_object()) {
        const auto& root = state.as_object();
        if (auto* pid = root.if_contains("supervisorPid"); pid && pid->is_int64()) pids.push_back(pid->as_int64());
        if (auto* processes = root.if_contains("processes"); processes && processes->is_array()) {
            for (const auto& p : processes->as_array()) {
                const auto* list = p.is_object() ? p.as_object().if_contains("pids") : nullptr;
                if (!list || !list->is_array()) continue;
                for (const auto& pid : list->as_array()) {
                    if (pid.is_int64()) pids.push_back(static_cast<pid_t>(pid.as_int64()));
                }
            }
        }
    }
    std::ifstream postmaster(data_dir + "/postgres/postmaster.pid");
    if (long pid = 0; postmaster >> pid) pids.push_back(static_cast<pid_t>(pid));
    return pids;
}

// Whether `dir` is one `up` made: its state file (while it runs), its log, or a system's logs.
bool IsDataDir(const std::string& dir) {
    std::error_code ec;
    if (fs::exists(reservo::cli::StateFilePath(dir), ec) || fs::exists(dir + "/reservo.log", ec)) return true;
    for (const std::string& system : reservo::cli::SystemNames()) {
        if (fs::is_directory(dir + "/" + system + "/logs", ec)) return true;
    }
    return false;
}

// `reservo down --purge`, once nothing runs: removes DATA, if it is one `up` made — never a
// directory that merely was given by mistake.
int Purge(const std::string& data_dir) {
    std::error_code ec;
    if (!fs::exists(data_dir, ec)) return Error("--purge: " + data_dir + " does not exist; nothing to remove");
    if (!IsDataDir(data_dir)) {
        return Error("--purge: " + data_dir +
                     " is not a data directory of `reservo up` (no reservo.state, reservo.log or SYSTEM/logs); "
                     "not removed");
    }
    if (auto ping = reservo::cli::SendControl(data_dir, "PING", reservo::Millis(2000)); ping) {
        return Error("--purge: a `reservo up` still runs with --data " + data_dir + "; not removed");
    }
    for (pid_t pid : RecordedPids(data_dir)) {
        if (Alive(pid)) {
            return Error("--purge: process " + std::to_string(pid) + " of " + data_dir +
                         " still runs; not removed (stop it, then run `reservo down --purge` again)");
        }
    }
    uintmax_t files = 0, bytes = 0;
    for (auto it = fs::recursive_directory_iterator(data_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            ++files;
            bytes += it->file_size(ec);
        }
    }
    fs::remove_all(data_dir, ec);
    if (ec) return Error("--purge: cannot remove " + data_dir + ": " + ec.message());
    std::cout << "Removed " << data_dir << " (" << files << " files, " << (bytes + 1023) / 1024
              << " KiB: stores, event log, logs).\n";
    return 0;
}

// `reservo down`: once every process stopped, the supervisor still stops what it started beside
// them (a local PostgreSQL) and exits; wait for that, so the data directory is free when down returns.
int Down(const std::string& data_dir, bool purge) {
    const std::string dir = AbsoluteDir(data_dir);
    auto status = reservo::cli::SendControl(dir, "STATUS");
    if (!status && status.error().code == reservo::Code::kUnavailable && purge) return Purge(dir);
    pid_t supervisor = 0;
    if (status && status->ok) {
        boost::system::error_code ec;
        auto state = boost::json::parse(status->body, ec);
        if (!ec && state.is_object()) {
            if (auto* pid = state.as_object().if_contains("supervisorPid"); pid && pid->is_int64())
                supervisor = static_cast<pid_t>(pid->as_int64());
        }
    }
    if (int code = Control(data_dir, "DOWN"); code != 0) return code;
    for (int waited_ms = 0; supervisor > 0 && kill(supervisor, 0) == 0 && waited_ms < 30'000; waited_ms += 20) {
        usleep(20'000);
    }
    return purge ? Purge(dir) : 0;
}

int StatusCommand(const std::string& data_dir, bool json) {
    auto reply = reservo::cli::SendControl(AbsoluteDir(data_dir), "STATUS");
    if (!reply) return Error(reply.error().message);
    if (!reply->ok) return Error(reply->message);
    auto state = reservo::cli::WithHealth(reply->body, reservo::Millis(500));
    if (!state) return Error(state.error().message);
    if (json) {
        std::cout << *state << "\n";
        return 0;
    }
    auto table = reservo::cli::FormatStatusTable(*state);
    if (!table) return Error(table.error().message);
    std::cout << *table;
    return 0;
}

bool SplitTarget(const std::string& target, std::string& system, std::string& service) {
    size_t slash = target.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == target.size()) return false;
    system = target.substr(0, slash);
    service = target.substr(slash + 1);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    CLI::App app{"reservo: event-driven reservation microservices", "reservo"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("reservo ") + RESERVO_VERSION);
    std::string data_dir = "./data";
    auto add_data = [&](CLI::App* command) {
        command->add_option("--data", data_dir, "Data directory (and where a running `up` is found)")
            ->capture_default_str();
    };

    std::string target;
    int port = 0;
    int port_base = 0;
    std::string config_file;
    auto* serve = app.add_subcommand("serve", "Run one service in the foreground (what a container runs)");
    serve->add_option("SYSTEM/SERVICE", target, "e.g. vaccine/reservation or vaccine/gateway")->required();
    auto* serve_port = serve->add_option("--port", port, "Listen port (default: from the port base)");
    auto* serve_base = serve->add_option("--port-base", port_base, "The system's gateway port; services follow it");
    auto* serve_config = serve->add_option("--config", config_file, "System YAML replacing the embedded one");
    add_data(serve);

    std::vector<std::string> systems;
    bool detach = false;
    bool faults = false;
    auto* up = app.add_subcommand("up", "Start systems, wait until ready, supervise until Ctrl-C");
    std::string all_systems;
    for (const std::string& name : reservo::cli::SystemNames()) all_systems += (all_systems.empty() ? "" : ", ") + name;
    up->add_option("SYSTEM", systems, "Systems to start, in this order (default: all: " + all_systems + ")");
    auto* up_base = up->add_option("--port-base", port_base,
                                   "The first system's gateway listens on N, its services on N+1, N+2, ...; "
                                   "the i-th system started (from 0) gets N + " +
                                       std::to_string(reservo::cli::kSystemPortStride) +
                                       "*i instead of N (default: each system's gateway.port from its YAML)")
                        ->type_name("N");
    up->add_flag("--detach", detach, "Run in the background once ready");
    up->add_flag("--faults", faults, "Fault injection on the services (/actuator/faults); also RESERVO_FAULTS=1");
    std::string engines;
    up->add_option("--engines", engines,
                   "Engines beyond one machine: kafka (events; brokers from RESERVO_EVENTS_KAFKA_BROKERS or "
                   "`reservo kafka-dev`), postgres (stores; a local server in DATA/postgres unless "
                   "RESERVO_STORE_POSTGRES_URL is set); e.g. --engines kafka,postgres")
        ->type_name("LIST");
    add_data(up);

    bool json = false;
    auto* status = app.add_subcommand("status", "Show the processes of the running `up`");
    status->add_flag("--json", json, "Print the state as JSON");
    add_data(status);

    auto* stop = app.add_subcommand("stop", "Stop a service (it stays stopped)");
    auto* start = app.add_subcommand("start", "Start a stopped service and wait until it is ready");
    auto* restart = app.add_subcommand("restart", "Rolling restart: each new process ready before the old drains");
    for (CLI::App* command : {stop, start, restart}) {
        command->add_option("SYSTEM/SERVICE", target)->required();
        add_data(command);
    }
    int replicas = 1;
    auto* scale = app.add_subcommand("scale", "Run N replicas of a service on its port");
    scale->add_option("SYSTEM/SERVICE", target)->required();
    scale->add_option("N", replicas, "Number of replicas")->required()->check(CLI::Range(1, 64));
    add_data(scale);

    auto* down = app.add_subcommand("down", "Stop every process of the running `up`, which then exits");
    bool purge = false;
    down->add_flag("--purge", purge, "Then remove the data directory (stores, event log, logs)");
    add_data(down);

    std::string logs_filter;
    bool follow = false;
    std::string since;
    auto* logs = app.add_subcommand("logs", "Show the logs of the running `up`'s processes, merged by time");
    logs->add_option("SYSTEM[/SERVICE]", logs_filter, "Only this system or service (default: all)");
    logs->add_flag("-f,--follow", follow, "Keep printing new lines until Ctrl-C");
    logs->add_option("--since", since, "Only lines since a duration ago (30s, 5m, 1h) or an ISO-8601 time")
        ->type_name("DURATION|TIME");
    add_data(logs);

    std::string config_system;
    auto* config = app.add_subcommand("config", "Show a system's effective settings and where each comes from");
    config->add_option("SYSTEM", config_system, "The system")->required();
    auto* config_file_option = config->add_option("--config", config_file, "System YAML replacing the embedded one");
    config->add_flag("--json", json, "Print the settings as JSON");

    std::string shell;
    auto* completion =
        app.add_subcommand("completion", "Print a shell completion script: source <(reservo completion bash)");
    completion->add_option("SHELL", shell, "bash")->required();

    int brokers = 3;
    auto* kafka_dev = app.add_subcommand(
        "kafka-dev",
        "Run librdkafka's mock Kafka cluster on loopback for development and tests (in memory: NOT durable, "
        "not for production); prints its brokers; stdin: `down`, `up`, `topic NAME PARTITIONS`");
    kafka_dev->add_option("--brokers", brokers, "Number of brokers")->check(CLI::Range(1, 9))->capture_default_str();

    // No command, or one that does not exist: say so and list them, rather than CLI11's "A subcommand
    // is required".
    if (argc >= 2 && argv[1][0] != '-') {
        std::string names;
        bool known = false;
        for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
            known = known || command->get_name() == argv[1];
            names += (names.empty() ? "" : ", ") + command->get_name();
        }
        if (!known) {
            std::cerr << "reservo: unknown command '" << argv[1] << "' (commands: " << names
                      << "; `reservo --help` explains them)\n";
            return 2;
        }
    } else if (argc < 2) {
        std::cerr << app.help();
        return 2;
    }
    CLI11_PARSE(app, argc, argv);

    if (*serve) {
        reservo::cli::ServeOptions options;
        if (!SplitTarget(target, options.system, options.service)) {
            return Error("expected SYSTEM/SERVICE, got '" + target + "'");
        }
        if (serve_port->count() > 0) options.port = port;
        if (serve_base->count() > 0) options.port_base = port_base;
        if (serve_config->count() > 0) options.config_file = config_file;
        options.data_dir = data_dir;
        return reservo::cli::Serve(options);
    }
    if (*up) {
        if (systems.empty()) systems = reservo::cli::SystemNames();
        std::string dir = AbsoluteDir(data_dir);
        if (Status st = reservo::cli::ApplyEnginesFlag(engines); !st) return Error(st.error().message);
        const std::optional<int> base = up_base->count() > 0 ? std::optional<int>(port_base) : std::nullopt;
        auto loaded = LoadNamedSystems(systems, base);
        if (!loaded && loaded.error().code == reservo::Code::kInvalidArgument) {
            std::cerr << "reservo up: invalid configuration, nothing was started:\n" << loaded.error().message;
            return 2;
        }
        if (!loaded) return Error(loaded.error().message);
        auto specs =
            reservo::cli::PlanUp(*loaded, {.port_base = base, .data_dir = dir, .exe = SelfExe(), .faults = faults});
        if (!specs) return Error(specs.error().message);
        auto local = reservo::cli::StartLocalEngines(*loaded, dir);
        if (!local) return Error(local.error().message);
        std::set<std::string> consoles;  // systems whose gateway serves /console/
        for (const auto& system : *loaded) {
            if (system.config.GetBool("gateway.console.enabled", true)) consoles.insert(system.name);
        }
        return detach ? UpDetached(std::move(*specs), dir, *local, consoles)
                      : UpForeground(std::move(*specs), dir, *local, consoles);
    }
    if (*status) return StatusCommand(data_dir, json);
    if (*logs) {
        reservo::cli::LogsOptions options{.data_dir = AbsoluteDir(data_dir), .filter = logs_filter, .follow = follow};
        if (!since.empty()) {
            auto at = reservo::cli::ParseSince(since, reservo::cli::WallClock::now());
            if (!at) {
                std::cerr << "reservo logs: " << at.error().message << "\n";
                return 2;
            }
            options.since = *at;
        }
        options.colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
        struct sigaction action {};
        action.sa_handler = OnStopLogs;
        sigemptyset(&action.sa_mask);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
        return reservo::cli::RunLogs(options, std::cout, std::cerr, g_stop_logs);
    }
    if (*config) {
        const auto names = reservo::cli::SystemNames();
        if (std::find(names.begin(), names.end(), config_system) == names.end()) {
            std::cerr << "reservo config: unknown system '" << config_system << "' (systems: " << all_systems << ")\n";
            return 2;
        }
        std::optional<std::string> file;
        if (config_file_option->count() > 0) file = config_file;
        auto view = reservo::cli::ResolveSettings(config_system, file, reservo::Config::ProcessEnv(),
                                                  reservo::ProcessEnvNames());
        if (!view) {
            std::cerr << "reservo config: " << view.error().message << "\n";
            return 2;
        }
        std::cout << (json ? reservo::cli::FormatSettingsJson(*view) : reservo::cli::FormatSettingsTable(*view));
        return 0;
    }
    if (*completion) {
        if (shell != "bash") {
            std::cerr << "reservo completion: unsupported shell '" << shell << "' (supported: bash)\n";
            return 2;
        }
        reservo::cli::CompletionSpec spec;
        for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
            std::vector<std::string> options;
            for (const CLI::Option* option : command->get_options()) {
                for (const std::string& name : option->get_lnames()) {
                    options.push_back("--" + name);
                    if (option->get_type_size() != 0 &&
                        std::find(spec.options_with_value.begin(), spec.options_with_value.end(), "--" + name) ==
                            spec.options_with_value.end()) {
                        spec.options_with_value.push_back("--" + name);
                    }
                }
            }
            spec.commands.emplace_back(command->get_name(), std::move(options));
        }
        for (const std::string& system : reservo::cli::SystemNames()) {
            spec.systems.push_back(system);
            auto system_config = reservo::cli::LoadSystemConfig(system);
            if (!system_config) continue;
            for (const std::string& process : reservo::service::ProcessNames(*system_config)) {
                spec.targets.push_back(system + "/" + process);
            }
        }
        std::cout << reservo::cli::BashCompletion(spec);
        return 0;
    }
    if (*kafka_dev) return reservo::messaging::RunKafkaDev(brokers);
    std::string system, service;
    if (*stop || *start || *restart || *scale) {
        if (!SplitTarget(target, system, service)) return Error("expected SYSTEM/SERVICE, got '" + target + "'");
    }
    if (*stop) return Control(data_dir, "STOP " + target);
    if (*start) return Control(data_dir, "START " + target);
    if (*restart) return Control(data_dir, "RESTART " + target);
    if (*scale) return Control(data_dir, "SCALE " + target + " " + std::to_string(replicas));
    if (*down) return Down(data_dir, purge);
    return 1;
}
