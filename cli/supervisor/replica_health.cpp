// Readiness and liveness of the replicas of a ReplicaSet.
//
// Readiness: a replica is ready when it writes a line `ready` to its fd 4 (RESERVO_READY_FD,
// exact per process) or, for programs that do not, when `GET readiness_path` on the port
// answers 200 and the answer cannot have come from another process of that port (it is the
// only one, or it has been up for `unnotified_grace` and no child has ever notified).
//
// Liveness: see CheckLiveness.
#include <signal.h>
#include <unistd.h>

#include "cli/supervisor/launch.hpp"
#include "cli/supervisor/listener.hpp"
#include "cli/supervisor/posix.hpp"
#include "cli/supervisor/replica_set.hpp"

namespace reservo::cli {

void ReplicaSet::ReadNotify(Replica& replica) {
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
        supervision_.notify_seen = true;
        MarkReady(replica, "notified");
        CloseFd(replica.notify_fd);
    }
}

void ReplicaSet::Probe(Replica& replica) {
    auto now = SteadyClock::now();
    if (!replica.probe.Active()) {
        if (now < replica.next_probe_at) return;
        if (!replica.probe.Start(ProbeHost(spec_.bind_address), spec_.port, options_.readiness_path,
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
    bool alone = LiveProcesses() == 1;
    bool trusted_late = !supervision_.notify_seen && now - replica.started_at >= options_.unnotified_grace;
    if (alone || trusted_late) MarkReady(replica, "readiness probe");
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
void ReplicaSet::CheckLiveness(Replica& replica) {
    auto now = SteadyClock::now();
    if (!replica.liveness.Active()) {
        if (now < replica.next_liveness_at) return;
        replica.next_liveness_at = now + options_.liveness_period;
        char state = ProcessState(replica.pid);
        if (state == 't') return;
        if (state == 'T') return LivenessVerdict(replica, false, "the process is stopped");
        if (LiveProcesses() != 1) return LivenessVerdict(replica, true, {});
        replica.liveness_spawns = spawns_;
        if (Status started = replica.liveness.Start(ProbeHost(spec_.bind_address), spec_.port, options_.liveness_path,
                                                    options_.liveness_timeout);
            !started) {
            return LivenessVerdict(replica, false, started.error().message);
        }
    }
    auto done = replica.liveness.Advance();
    if (!done) return;
    // Another process may have taken the connection since the probe began.
    if (spawns_ != replica.liveness_spawns || LiveProcesses() != 1) return;
    if (!*done) return LivenessVerdict(replica, false, done->error().message);
    int status = (*done)->status;
    LivenessVerdict(replica, status >= 200 && status < 400, "status " + std::to_string(status));
}

void ReplicaSet::LivenessVerdict(Replica& replica, bool alive, const std::string& why) {
    if (alive) {
        replica.liveness_failures = 0;
        return;
    }
    if (++replica.liveness_failures < options_.liveness_failure_threshold) return;
    // SIGKILL: a hung process may never handle SIGTERM, and it ends a stopped process too.
    supervision_.Log(Target() + " pid " + std::to_string(replica.pid) + " failed " +
                     std::to_string(replica.liveness_failures) + " liveness probes; replacing it (last: " + why + ")");
    replica.liveness = HttpProbe();
    replica.liveness_failures = 0;
    replica.state = ReplicaState::kUnhealthy;
    supervision_.dirty = true;
    ::kill(replica.pid, SIGKILL);
}

}  // namespace reservo::cli
