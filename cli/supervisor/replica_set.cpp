#include "cli/supervisor/replica_set.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "cli/supervisor/launch.hpp"
#include "cli/supervisor/listener.hpp"
#include "cli/supervisor/posix.hpp"

namespace reservo::cli {

ReplicaSet::ReplicaSet(ProcessSpec spec, Supervision& supervision)
    : spec_(std::move(spec)), supervision_(supervision), options_(supervision.options) {}

ReplicaSet::~ReplicaSet() {
    for (Replica& replica : replicas_) {
        if (replica.pid > 0) {
            ::kill(replica.pid, SIGKILL);
            ::waitpid(replica.pid, nullptr, 0);
        }
        CloseFd(replica.pidfd);
        CloseFd(replica.notify_fd);
    }
    CloseFd(listen_fd_);
}

Status ReplicaSet::Listen() {
    if (listen_fd_ >= 0) return Ok();
    auto fd = OpenListener(spec_);
    if (!fd) return Fail(fd.error());
    listen_fd_ = *fd;
    return Ok();
}

void ReplicaSet::CloseListener() { CloseFd(listen_fd_); }

Replica& ReplicaSet::AddReplica(int index, bool surge) {
    Replica& replica = replicas_.emplace_back();
    replica.id = supervision_.next_replica_id++;
    replica.index = index;
    replica.surge = surge;
    replica.backoff = options_.backoff_initial;
    return replica;
}

void ReplicaSet::EnsureReplicas() {
    for (int index = 0; index < desired_; ++index) {
        bool present = std::any_of(replicas_.begin(), replicas_.end(),
                                   [&](const Replica& r) { return r.index == index && !r.retiring; });
        if (!present) Spawn(AddReplica(index, false));
    }
}

void ReplicaSet::Stop() {
    stopped_ = true;
    StopReplicas();
}

Status ReplicaSet::Start() {
    if (stopped_) supervision_.Log(Target() + ": starting");
    stopped_ = false;
    if (Status listening = Listen(); !listening) return listening;
    EnsureReplicas();
    return Ok();
}

void ReplicaSet::SetDesired(int replicas) {
    desired_ = replicas;
    supervision_.dirty = true;
}

void ReplicaSet::ApplyDesired() {
    for (Replica& replica : replicas_) {
        if (replica.index >= desired_) StopReplica(replica);
    }
    EnsureReplicas();
}

Replica& ReplicaSet::SpawnSurge(int index) {
    Replica& fresh = AddReplica(index, true);
    Spawn(fresh);
    return fresh;
}

Replica* ReplicaSet::Current(int index) {
    Replica* current = nullptr;
    for (Replica& r : replicas_) {
        if (r.index == index && !r.retiring && !r.surge) current = &r;
    }
    return current;
}

Replica* ReplicaSet::Find(uint64_t id) {
    for (Replica& r : replicas_) {
        if (r.id == id) return &r;
    }
    return nullptr;
}

void ReplicaSet::Spawn(Replica& replica) {
    supervision_.dirty = true;
    replica.state = ReplicaState::kStarting;
    replica.started_at = SteadyClock::now();
    replica.next_probe_at = replica.started_at;
    replica.kill_at = SteadyClock::time_point::max();
    replica.notify_buffer.clear();
    auto child = Launch(spec_, listen_fd_, {.index = replica.index, .count = desired_});
    if (!child) {
        supervision_.Log(child.error().message);
        replica.state = ReplicaState::kWaiting;
        replica.restart_at = SteadyClock::now() + options_.backoff_max;
        return;
    }
    ++spawns_;
    replica.pid = child->pid;
    replica.pidfd = child->pidfd;
    replica.notify_fd = child->ready_fd;
    supervision_.Log(Target() + ": started pid " + std::to_string(replica.pid) +
                     (desired_ > 1 || replica.index > 0 ? " (replica " + std::to_string(replica.index) + ")" : "") +
                     " on " + spec_.bind_address + ":" + std::to_string(spec_.port));
}

void ReplicaSet::StopReplica(Replica& replica) {
    supervision_.dirty = true;
    replica.retiring = true;
    if (replica.pid <= 0) return;  // waiting for a restart: swept by Tick
    if (replica.state != ReplicaState::kStopping) {
        ::kill(replica.pid, SIGTERM);
        ::kill(replica.pid, SIGCONT);  // a stopped process handles SIGTERM (and drains) once continued
        replica.liveness = HttpProbe();
        replica.state = ReplicaState::kStopping;
        replica.kill_at = SteadyClock::now() + options_.drain_timeout;
        supervision_.Log(Target() + ": stopping pid " + std::to_string(replica.pid));
    }
}

void ReplicaSet::StopReplicas() {
    for (Replica& replica : replicas_) StopReplica(replica);
}

void ReplicaSet::KillAll() {
    for (Replica& replica : replicas_) {
        if (replica.pid > 0) ::kill(replica.pid, SIGKILL);
    }
}

void ReplicaSet::MarkReady(Replica& replica, const char* how) {
    if (replica.state != ReplicaState::kStarting) return;
    replica.state = ReplicaState::kReady;
    replica.probe = HttpProbe();
    replica.liveness_failures = 0;
    replica.next_liveness_at = SteadyClock::now() + options_.liveness_period;
    supervision_.dirty = true;
    supervision_.Log(Target() + ": pid " + std::to_string(replica.pid) + " ready in " +
                     std::to_string(ToMillis(SteadyClock::now() - replica.started_at)) + " ms (" + how + ")");
}

void ReplicaSet::OnExit(Replica& replica, int status) {
    supervision_.dirty = true;
    CloseFd(replica.pidfd);
    CloseFd(replica.notify_fd);
    replica.probe = HttpProbe();
    replica.liveness = HttpProbe();
    pid_t pid = replica.pid;
    replica.pid = -1;
    std::string who = Target() + ": pid " + std::to_string(pid);
    bool expected =
        supervision_.shutting_down || replica.retiring || stopped_ || replica.state == ReplicaState::kStopping;
    if (expected) {
        supervision_.Log(who + " exited (" + DescribeExit(status) + ")");
        replica.retiring = true;  // swept by Tick
        return;
    }
    if (replica.surge) {
        supervision_.Log(who + " (new process) exited before it was ready (" + DescribeExit(status) + "); see " +
                         spec_.log_path);
        replica.retiring = true;
        return;
    }
    ++restarts_;
    auto now = SteadyClock::now();
    if (now - replica.started_at >= options_.backoff_reset_after) replica.backoff = options_.backoff_initial;
    Millis delay = replica.backoff;
    replica.backoff = std::min(options_.backoff_max, replica.backoff * 2);
    std::string what = replica.state == ReplicaState::kUnhealthy
                           ? " was killed after failing its liveness checks"
                           : " exited unexpectedly (" + DescribeExit(status) + ")";
    replica.state = ReplicaState::kWaiting;
    replica.restart_at = now + delay;
    supervision_.Log(who + what + "; restarting in " + std::to_string(delay.count()) + " ms; see " + spec_.log_path);
}

bool ReplicaSet::AllReady() const {
    int ready = 0;
    for (const Replica& r : replicas_) {
        if (r.retiring) continue;
        if (r.state != ReplicaState::kReady) return false;
        ++ready;
    }
    return ready >= desired_;
}

int ReplicaSet::LiveProcesses() const {
    return static_cast<int>(
        std::count_if(replicas_.begin(), replicas_.end(), [](const Replica& r) { return r.pid > 0; }));
}

bool ReplicaSet::Draining() const {
    return std::any_of(replicas_.begin(), replicas_.end(), [](const Replica& r) { return r.retiring; });
}

std::string ReplicaSet::Pids() const {
    std::string out;
    for (const Replica& r : replicas_) {
        if (r.pid <= 0 || r.retiring) continue;
        if (!out.empty()) out += ',';
        out += std::to_string(r.pid);
    }
    return out.empty() ? std::string("-") : out;
}

void ReplicaSet::Register(PollSet& poll) {
    for (Replica& replica : replicas_) {
        if (replica.pidfd >= 0) poll.Add(replica.pidfd, POLLIN, [] {});  // Reap() collects it
        if (replica.notify_fd >= 0 && replica.state == ReplicaState::kStarting) {
            poll.Add(replica.notify_fd, POLLIN, [this, &replica] {
                if (replica.pid > 0) ReadNotify(replica);
            });
        }
        if (replica.state == ReplicaState::kStarting) {
            if (replica.probe.Active()) {
                poll.Add(replica.probe.Fd(), replica.probe.Events(), [this, &replica] {
                    if (replica.state == ReplicaState::kStarting) Probe(replica);
                });
            } else {
                poll.WakeBy(replica.next_probe_at);
            }
        }
        if (replica.state == ReplicaState::kReady && supervision_.LivenessOn()) {
            if (replica.liveness.Active()) {
                poll.Add(replica.liveness.Fd(), replica.liveness.Events(), [this, &replica] {
                    if (replica.state == ReplicaState::kReady && supervision_.LivenessOn()) CheckLiveness(replica);
                });
            } else {
                poll.WakeBy(replica.next_liveness_at);
            }
        }
        if (replica.state == ReplicaState::kWaiting && !replica.retiring) poll.WakeBy(replica.restart_at);
        if (replica.pid > 0 && replica.state == ReplicaState::kStopping) poll.WakeBy(replica.kill_at);
    }
}

void ReplicaSet::Reap() {
    for (Replica& replica : replicas_) {
        if (replica.pid <= 0) continue;
        int status = 0;
        pid_t r = ::waitpid(replica.pid, &status, WNOHANG);
        if (r == replica.pid) {
            OnExit(replica, status);
        } else if (r < 0 && errno == ECHILD) {
            OnExit(replica, 0);
        }
    }
}

void ReplicaSet::Tick(SteadyClock::time_point now) {
    for (Replica& replica : replicas_) {
        if (replica.state == ReplicaState::kStarting && replica.pid > 0) {
            if (replica.notify_fd >= 0) ReadNotify(replica);
            if (replica.state == ReplicaState::kStarting) Probe(replica);
        }
        if (replica.state == ReplicaState::kReady && replica.pid > 0 && supervision_.LivenessOn()) {
            CheckLiveness(replica);
        }
        if (replica.pid > 0 && replica.state == ReplicaState::kStopping && now >= replica.kill_at) {
            supervision_.Log(Target() + ": pid " + std::to_string(replica.pid) + " did not exit within " +
                             std::to_string(options_.drain_timeout.count()) + " ms; killing it");
            ::kill(replica.pid, SIGKILL);
            replica.kill_at = SteadyClock::time_point::max();
        }
        if (replica.state == ReplicaState::kWaiting && replica.pid <= 0 && !replica.retiring &&
            !supervision_.shutting_down && !stopped_ && now >= replica.restart_at) {
            Spawn(replica);
        }
    }
    auto before = replicas_.size();
    replicas_.remove_if([](const Replica& r) { return r.retiring && r.pid <= 0; });
    if (replicas_.size() != before) supervision_.dirty = true;
}

}  // namespace reservo::cli
