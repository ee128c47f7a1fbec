// A command that changes one service while everything else keeps running — start, stop,
// scale, rolling restart — as a small state machine the event loop advances until it is done.
//
//   start    listen again, start the replicas; done when they are all ready
//   stop     SIGTERM every process, keep it stopped; done when all exited (the port then closes)
//   scale    stop the replicas beyond N, start the missing ones; done when N are ready and
//            the others exited
//   restart  per replica, in index order: start a new process next to the old one, wait until
//            it is ready, then stop the old one and wait until it exited. The old process keeps
//            serving if the new one fails, so a rolling restart never leaves the port unserved.
//
// Each step is bounded by the ready and drain timeouts. While an operation runs, its service
// is `busy` and other commands on it are refused.
//
//   auto begun = Operation::Begin(Operation::Kind::kRestart, service, 0, supervision);
//   if (auto* done = std::get_if<Operation::Outcome>(&begun)) return Reply(*done);
//   Operation op = std::get<Operation>(std::move(begun));
//   every loop turn: if (auto outcome = op.Advance()) Reply(*outcome);  // then drop op
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/supervisor/replica_set.hpp"
#include "kit/core/clock.hpp"

namespace reservo::cli {

class Operation final {
  public:
    enum class Kind { kStart, kStop, kRestart, kScale };
    struct Outcome {
        bool ok = false;
        std::string message;
    };

    // Begins `kind` on `service` (`replicas`: the new count of kScale, 1..64). The operation
    // to advance, or the outcome when there is nothing to wait for (refused, or scaling a
    // stopped service).
    static std::variant<Operation, Outcome> Begin(Kind kind, ReplicaSet& service, int replicas,
                                                  Supervision& supervision);

    // Makes progress; the outcome once finished, after which the service is no longer busy.
    std::optional<Outcome> Advance();
    // Gives up without finishing (shutdown): the service is no longer busy.
    void Abandon();

  private:
    enum class Step { kSpawn, kWaitReady, kWaitOld };  // of a rolling restart, per replica

    Operation(Kind kind, ReplicaSet& service, Supervision& supervision, SteadyClock::time_point deadline);
    std::optional<Outcome> AdvanceRestart(SteadyClock::time_point now);
    Outcome Finish(bool ok, std::string message);

    Kind kind_;
    ReplicaSet* service_;
    Supervision* supervision_;
    SteadyClock::time_point deadline_;
    // Rolling restart progress.
    Step step_ = Step::kSpawn;
    int index_ = 0;
    uint64_t fresh_id_ = 0;
    uint64_t old_id_ = 0;
    std::vector<std::string> replaced_;  // "old→new" pids
};

}  // namespace reservo::cli
