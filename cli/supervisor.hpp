// The process supervisor behind `reservo up`: one child process per service replica.
//
// The supervisor owns every listening TCP socket (bound to the spec's bind_address) and hands
// it to each child as fd 3 (RESERVO_LISTEN_FD=3), so the replicas of a service, and the old and new process during a
// rolling restart, share one kernel accept queue: a connection waits in the queue until some
// process accepts it, and none is refused while processes come and go.
//
// A child is ready when it writes a line `ready` to fd 4 (RESERVO_READY_FD=4, exact per
// process) or, for programs that do not, when `GET /actuator/health/readiness` on its port
// answers 200 and the answer cannot have come from another process of that port (it is the
// only one, or it has been up for `unnotified_grace` and no child has ever notified).
//
// A child that exits unexpectedly is restarted with exponential backoff. A ready child is
// checked for liveness every `liveness_period`: stopped according to the kernel, or — while it
// is the only process on its port — no answer to `GET /actuator/health/liveness` fails the
// check (see cli/supervisor/replica_health.cpp); after `liveness_failure_threshold` failures in
// a row it is killed (SIGKILL) and restarted like a crash.
//
// Commands arrive on the control socket DATA/reservo.sock (see cli/control.hpp for the
// protocol) and the state is mirrored to DATA/reservo.state (JSON) on every change. Everything
// runs in one poll loop:
//
//   Supervisor supervisor(specs, SupervisorOptions{.data_dir = "/srv/data"});
//   if (Status open = supervisor.Open(); !open) return Report(open.error());
//   return supervisor.Run([](const Status& ready) { if (ready) PrintTable(); });
//
// The parts, in cli/supervisor/: launch (fork/exec of one child: environment, fds 3 and 4, log
// file, pidfd), listener (the shared listening sockets), replica_set and replica_health (the
// replicas of one service: restarts with backoff, readiness, liveness), operation (start, stop,
// scale, rolling restart), control_server (the control socket), state_file (the state JSON) and
// poll_set (one turn of the loop). supervisor.cpp holds the loop itself, the dispatch of
// commands and the shutdown in phases.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

class ControlServer;
class ReplicaSet;
struct Supervision;

// One supervised program: what to run and where it listens.
struct ProcessSpec {
    std::string system;
    std::string name;  // "gateway" or a service name
    int port = 0;
    std::string bind_address = "127.0.0.1";                // IPv4 address of its socket; "0.0.0.0": all interfaces
    std::vector<std::string> argv;                         // argv[0] is the program's path
    std::vector<std::pair<std::string, std::string>> env;  // added to the supervisor's own
    std::string log_path;                                  // stdout and stderr are appended here
    int shutdown_phase = 1;                                // lower phases stop (and drain) first
};

struct SupervisorOptions {
    std::string data_dir;  // holds reservo.sock and reservo.state
    std::string readiness_path = "/actuator/health/readiness";
    Millis ready_timeout{30000};  // for the first start and for each start/restart/scale step
    Millis drain_timeout{10000};  // SIGTERM → SIGKILL
    Millis probe_interval{20};
    Millis probe_timeout{2000};
    Millis backoff_initial{100};
    Millis backoff_max{5000};
    Millis backoff_reset_after{10000};  // uptime after which a crash counts as the first again
    Millis unnotified_grace{1000};
    // Liveness of ready processes, as a Kubernetes livenessProbe: one check every period, each
    // HTTP probe bounded by the timeout; the threshold-th failure in a row replaces the process.
    std::string liveness_path = "/actuator/health/liveness";
    Millis liveness_period{1000};
    Millis liveness_timeout{1000};
    int liveness_failure_threshold = 3;  // 0: no liveness checks
    // Where progress lines go; default: stderr with a time stamp.
    std::function<void(std::string_view)> log;
};

class Supervisor final {
  public:
    Supervisor(std::vector<ProcessSpec> specs, SupervisorOptions options);
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;
    ~Supervisor();

    // Binds the control socket and every listening socket. Fails if another supervisor runs
    // on the same data directory or a port is taken.
    Status Open();

    // Starts every process and supervises until shutdown. `on_ready` is called once: Ok when
    // every process is ready, or the error if that takes longer than `ready_timeout` (then
    // everything is stopped). Returns the process exit code (0, or 1 after that failure).
    int Run(std::function<void(const Status&)> on_ready = {});

    // Stops every process (shutdown phases in order) and makes Run return; a second request
    // kills what is left. Async-signal-safe and thread-safe.
    void RequestShutdown();

    // The state as JSON (what `status --json` prints); only from Run's thread (e.g. on_ready).
    std::string StateJson() const;

  private:
    struct Command;  // an operation and the control connection waiting for its outcome

    void PollOnce();
    void Tick();
    void Dispatch(int fd, const std::string& line);
    ReplicaSet* FindService(const std::string& target, std::string& error);
    void BeginShutdown();
    void AdvanceShutdown();
    void WriteState();

    SupervisorOptions options_;
    std::unique_ptr<Supervision> supervision_;
    std::vector<std::unique_ptr<ReplicaSet>> services_;  // in start order
    std::unique_ptr<ControlServer> control_;
    std::list<Command> commands_;
    std::vector<int> down_clients_;  // DOWN requests, answered once everything stopped
    std::string state_path_;
    int wake_fd_ = -1;  // an eventfd: RequestShutdown interrupts the poll
    std::atomic<int> shutdown_requests_{0};
    int shutdown_handled_ = 0;
    int shutdown_phase_ = 0;
    bool finished_ = false;
};

}  // namespace reservo::cli
