#include "cli/supervisor/operation.hpp"

namespace reservo::cli {

Operation::Operation(Kind kind, ReplicaSet& service, Supervision& supervision, SteadyClock::time_point deadline)
    : kind_(kind), service_(&service), supervision_(&supervision), deadline_(deadline) {
    service.set_busy(true);
}

std::variant<Operation, Operation::Outcome> Operation::Begin(Kind kind, ReplicaSet& service, int replicas,
                                                             Supervision& supervision) {
    const SupervisorOptions& options = supervision.options;
    auto now = SteadyClock::now();
    switch (kind) {
        case Kind::kStop:
            service.Stop();
            return Operation(kind, service, supervision, now + options.drain_timeout * 2);
        case Kind::kStart:
            if (Status started = service.Start(); !started) return Outcome{false, started.error().message};
            return Operation(kind, service, supervision, now + options.ready_timeout);
        case Kind::kRestart:
            if (service.stopped()) return Outcome{false, service.Target() + " is stopped; use start"};
            supervision.Log(service.Target() + ": rolling restart");
            return Operation(kind, service, supervision, {});  // each step sets its own deadline
        case Kind::kScale:
            service.SetDesired(replicas);
            if (service.stopped()) {
                return Outcome{true, service.Target() + " is stopped; it will run " + std::to_string(replicas) +
                                         " replica(s) when started"};
            }
            supervision.Log(service.Target() + ": scaling to " + std::to_string(replicas));
            service.ApplyDesired();
            return Operation(kind, service, supervision, now + options.ready_timeout + options.drain_timeout);
    }
    return Outcome{false, "unknown operation"};
}

Operation::Outcome Operation::Finish(bool ok, std::string message) {
    service_->set_busy(false);
    return Outcome{ok, std::move(message)};
}

void Operation::Abandon() { service_->set_busy(false); }

std::optional<Operation::Outcome> Operation::Advance() {
    ReplicaSet& service = *service_;
    const SupervisorOptions& options = supervision_->options;
    auto now = SteadyClock::now();
    switch (kind_) {
        case Kind::kStop:
            if (service.replicas().empty()) {
                service.CloseListener();
                return Finish(true, service.Target() + " stopped");
            }
            if (now > deadline_) return Finish(false, service.Target() + ": processes did not exit");
            return std::nullopt;
        case Kind::kStart:
            if (service.AllReady()) return Finish(true, service.Target() + " ready: pid " + service.Pids());
            if (now > deadline_) {
                return Finish(false, service.Target() + " not ready after " +
                                         std::to_string(options.ready_timeout.count() / 1000) + " s; see " +
                                         service.spec().log_path);
            }
            return std::nullopt;
        case Kind::kScale:
            if (service.AllReady() && !service.Draining()) {
                return Finish(true, service.Target() + " scaled to " + std::to_string(service.desired()) + ": pids " +
                                        service.Pids());
            }
            if (now > deadline_) return Finish(false, service.Target() + ": scaling did not finish in time");
            return std::nullopt;
        case Kind::kRestart:
            return AdvanceRestart(now);
    }
    return std::nullopt;
}

std::optional<Operation::Outcome> Operation::AdvanceRestart(SteadyClock::time_point now) {
    ReplicaSet& service = *service_;
    const SupervisorOptions& options = supervision_->options;
    for (;;) {
        if (step_ == Step::kSpawn) {
            if (index_ >= service.desired()) {
                std::string replaced;
                for (const std::string& r : replaced_) replaced += (replaced.empty() ? "" : ", ") + r;
                return Finish(true, service.Target() + " restarted: pid " + replaced);
            }
            Replica* old = service.Current(index_);
            old_id_ = old ? old->id : 0;
            fresh_id_ = service.SpawnSurge(index_).id;
            step_ = Step::kWaitReady;
            deadline_ = now + options.ready_timeout;
            return std::nullopt;
        }
        if (step_ == Step::kWaitReady) {
            Replica* fresh = service.Find(fresh_id_);
            if (!fresh || fresh->retiring) {
                return Finish(false, service.Target() + ": the new process exited before it was ready; the old one " +
                                         "keeps serving; see " + service.spec().log_path);
            }
            if (fresh->state != ReplicaState::kReady) {
                if (now <= deadline_) return std::nullopt;
                service.StopReplica(*fresh);
                return Finish(false, service.Target() + ": the new process was not ready after " +
                                         std::to_string(options.ready_timeout.count() / 1000) +
                                         " s; the old one keeps serving; see " + service.spec().log_path);
            }
            fresh->surge = false;
            Replica* old = service.Find(old_id_);
            std::string old_pid = old && old->pid > 0 ? std::to_string(old->pid) : "-";
            replaced_.push_back(old_pid + "→" + std::to_string(fresh->pid));
            if (old) service.StopReplica(*old);
            step_ = Step::kWaitOld;
            continue;
        }
        // kWaitOld: the old process drains; SIGKILL after the drain timeout bounds this.
        if (service.Find(old_id_)) return std::nullopt;
        ++index_;
        step_ = Step::kSpawn;
    }
}

}  // namespace reservo::cli
