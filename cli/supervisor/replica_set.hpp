// The processes of one supervised service: its replicas, their restarts and their health.
//
// A replica set keeps `desired` processes running on the service's listening socket. Each
// replica moves through
//
//   kStarting ──ready──▶ kReady ──liveness fails──▶ kUnhealthy (SIGKILLed)
//       │                  │                            │
//       └──── exits ───────┴──────── exits ─────────────┴──▶ kWaiting ──backoff──▶ kStarting
//
// and kStopping once asked to stop (SIGTERM, then SIGKILL after the drain timeout). A replica
// that exits unexpectedly is restarted after a backoff that doubles up to `backoff_max` and
// starts again from `backoff_initial` after `backoff_reset_after` of uptime. A replica marked
// `retiring` (stopped, scaled away, replaced by a rolling restart) leaves the set once it has
// exited. Readiness and liveness checks are in replica_health.cpp.
//
// The supervisor's event loop drives it:
//
//   ReplicaSet set(spec, supervision);
//   set.Listen(); set.EnsureReplicas();
//   loop: PollSet poll(...); set.Register(poll); poll.Wait(); set.Reap(); set.Tick(now);
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <string>

#include "cli/http_probe.hpp"
#include "cli/supervisor.hpp"
#include "cli/supervisor/poll_set.hpp"
#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

// What the replica sets of one supervisor share.
struct Supervision {
    const SupervisorOptions& options;
    bool shutting_down = false;  // everything is being stopped: no restarts, no liveness checks
    bool notify_seen = false;    // some child has written `ready` to its fd 4
    bool dirty = true;           // changed since the state file was last written
    uint64_t next_replica_id = 1;

    void Log(const std::string& line) const { options.log(line); }
    bool LivenessOn() const { return options.liveness_failure_threshold > 0 && !shutting_down; }
};

// kUnhealthy: failed its liveness checks and was killed; restarted once it has exited.
enum class ReplicaState { kWaiting, kStarting, kReady, kUnhealthy, kStopping };

struct Replica {
    uint64_t id = 0;  // unique within the supervisor
    int index = 0;    // 0..desired-1; a rolling restart briefly has two of one index
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
    uint64_t liveness_spawns = 0;  // ReplicaSet::spawns_ when the probe began
    SteadyClock::time_point next_liveness_at{};
    int liveness_failures = 0;
};

class ReplicaSet final {
  public:
    ReplicaSet(ProcessSpec spec, Supervision& supervision);
    ReplicaSet(const ReplicaSet&) = delete;
    ReplicaSet& operator=(const ReplicaSet&) = delete;
    // SIGKILLs and reaps what still runs; closes its descriptors.
    ~ReplicaSet();

    const ProcessSpec& spec() const { return spec_; }
    // "system/service", as commands name it.
    std::string Target() const { return spec_.system + "/" + spec_.name; }
    const std::list<Replica>& replicas() const { return replicas_; }
    int desired() const { return desired_; }
    bool stopped() const { return stopped_; }
    int restarts() const { return restarts_; }
    // A command is changing the set (see operation.hpp); others are refused meanwhile.
    bool busy() const { return busy_; }
    void set_busy(bool busy) { busy_ = busy; }

    // Opens the listening socket unless it is open (see listener.hpp).
    Status Listen();
    // Closes it: a stopped service refuses connections, so callers fail fast.
    void CloseListener();

    // Starts the missing replicas among 0..desired-1.
    void EnsureReplicas();
    // Stops every process and keeps the service stopped until Start.
    void Stop();
    // Undoes Stop: listens again and starts the replicas; the error if the port cannot be had.
    Status Start();
    // Sets the number of replicas (at least 1); takes effect with ApplyDesired, or on Start.
    void SetDesired(int replicas);
    // Stops the replicas beyond `desired` and starts the missing ones.
    void ApplyDesired();
    // Starts a second process for replica `index` (a rolling restart) and returns it.
    Replica& SpawnSurge(int index);
    // The established (not retiring, not surge) replica of `index`; nullptr if none.
    Replica* Current(int index);
    Replica* Find(uint64_t id);
    // SIGTERM, marks it retiring; SIGKILL follows after the drain timeout (Tick).
    void StopReplica(Replica& replica);
    // StopReplica on every replica (shutdown).
    void StopReplicas();
    // SIGKILL to every process (a second shutdown request).
    void KillAll();

    // Every wanted replica is ready.
    bool AllReady() const;
    // Processes alive (ready or not, retiring or not).
    int LiveProcesses() const;
    // Some replica is on its way out.
    bool Draining() const;
    // The pids of the wanted replicas, "1,2" or "-".
    std::string Pids() const;

    // Adds to the event loop: exit notifications, readiness pipes and probes, liveness probes,
    // and the times restarts and probes are due.
    void Register(PollSet& poll);
    // Collects exited processes (waitpid) and schedules their restarts.
    void Reap();
    // Advances probes and timers: readiness, liveness, SIGKILL after the drain timeout,
    // restarts whose backoff has passed; drops retired replicas that have exited.
    void Tick(SteadyClock::time_point now);

  private:
    Replica& AddReplica(int index, bool surge);
    void Spawn(Replica& replica);
    void OnExit(Replica& replica, int status);
    void MarkReady(Replica& replica, const char* how);
    // replica_health.cpp
    void ReadNotify(Replica& replica);
    void Probe(Replica& replica);
    void CheckLiveness(Replica& replica);
    void LivenessVerdict(Replica& replica, bool alive, const std::string& why);

    ProcessSpec spec_;
    Supervision& supervision_;
    const SupervisorOptions& options_;
    int listen_fd_ = -1;
    int desired_ = 1;
    bool stopped_ = false;
    bool busy_ = false;
    int restarts_ = 0;
    uint64_t spawns_ = 0;  // processes ever started on its port
    std::list<Replica> replicas_;
};

}  // namespace reservo::cli
