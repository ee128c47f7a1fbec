// A consumer-group member that applies events to the service's database effectively once.
//
// Each event is applied in one service-database transaction together with an inbox row keyed
// by the event id, so a redelivered event (a relay re-append, a rebalance, a reset offset) has
// no second effect; the group's offset is committed in the log after that transaction. A
// transient failure is retried with exponential backoff for that partition only (its later
// events wait, to keep the aggregate's order; other partitions go on). A failure that persists
// for max_attempts, or a permanent one, parks the event in dead_letters and moves on.
//
// A pass never waits for a lock: when another connection (a replica, another process on the
// shared event log) holds the write lock of the service database or of the log, that step is
// skipped and tried again at the next pass (counted in busy(), not held against the event). An
// offset commit skipped so is retried by later passes.
//
//   db.Migrate(messaging::Consumer::Migrations());
//   messaging::Consumer consumer(db, log, {.group = "notification", .topic = "reservations"});
//   consumer.On("VaccineReserved", [](const CloudEvent& e, store::Database& db) -> Status { ... });
//   consumer.PollOnce();                  // when the log changed, or after UntilNextPass()
//   consumer.Close();                     // on shutdown: the others take over at once
//
// A handler runs inside the consumer's transaction: it must use `db` but never call Begin().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "kit/core/clock.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/store/database.hpp"

namespace reservo::messaging {

using Handler = std::function<Status(const CloudEvent&, store::Database&)>;

struct ConsumerOptions {
    std::string group;  // the consuming service, e.g. "notification"
    std::string topic;
    std::string member_id;  // unique per process; empty → a random id
    int max_attempts = 5;   // tries before a transiently failing event is parked
    Millis initial_backoff{20};
    Millis max_backoff{2000};
    Millis heartbeat_interval{1000};  // keep well under the log's session timeout
    int batch = 64;                   // records fetched, and applied in one transaction, per partition pass
    Millis busy_retry{5};             // how soon a partition is tried again after finding a lock busy
    MillisSource now_ms;              // monotonic ms for backoff and heartbeats; empty → steady clock
};

// An event parked after its handler kept failing.
struct DeadLetter {
    int64_t id = 0;
    std::string group;
    std::string topic;
    int partition = 0;
    int64_t offset = 0;
    std::string event_id;
    std::string type;
    std::string subject;
    std::string payload;  // the CloudEvent JSON
    std::string error;
    int attempts = 0;
    std::string parked_at;  // ISO-8601
};

class Consumer final {
  public:
    Consumer(store::Database& db, EventLog& log, ConsumerOptions options);

    // The inbox and dead_letters tables, as migrations 9011.. (service migrations use 1..n).
    static std::span<const store::Migration> Migrations();

    // Handles events of `type`; events of types without a handler are skipped.
    void On(std::string type, Handler handler);

    // One non-blocking pass over the owned partitions; returns how many records it consumed
    // (applied, duplicate, skipped or parked). Fails only when the group cannot be joined.
    Result<int> PollOnce();
    // How soon a pass has work even if nothing new is appended: the next heartbeat (or join
    // attempt), a partition's retry after a failure or a busy lock, an offset commit skipped
    // earlier. Zero when a pass is due now. A caller woken by the log's changes sleeps this long.
    Millis UntilNextPass() const;
    // Re-runs the handler of a parked event; 1 = applied (and unparked), 0 = it had already
    // been applied (unparked too). A failure stays parked with the new error.
    Result<int> ReplayDeadLetter(int64_t id);
    // This group's parked events, oldest first.
    Result<std::vector<DeadLetter>> DeadLetters();
    // How many there are (a scrape asks this, not for the list).
    Result<int64_t> DeadLetterCount();
    // Leaves the group, so its partitions move to the other members at their next heartbeat.
    void Close();

    // Deletes inbox rows of every group applied before `before_unix_ms`, oldest first, at most
    // `max` in one short transaction; skipped (busy = 1) when the write lock is taken. A redelivered
    // event older than that is applied again, so keep the inbox at least as long as the event log.
    static Pruned PruneInbox(store::Database& db, int64_t before_unix_ms, int max = 1000);

    int64_t processed() const { return processed_; }    // applied by a handler
    int64_t duplicates() const { return duplicates_; }  // skipped: already in the inbox
    int64_t skipped() const { return skipped_; }        // skipped: no handler for the type
    int64_t dead_lettered() const { return dead_lettered_; }
    int64_t busy() const { return busy_; }  // steps skipped because a write lock was busy
    // How long since the group was last joined (a heartbeat answered), and why the last one failed.
    Millis SinceHeartbeat() const { return Millis(Now() - last_heartbeat_); }
    const std::string& heartbeat_error() const { return heartbeat_error_; }
    const std::vector<int>& owned() const { return owned_; }
    const std::string& member_id() const { return options_.member_id; }
    // Records not yet consumed by the group on the partitions this member owns.
    Result<int64_t> Lag();
    struct PartitionLag {
        int partition = 0;
        int64_t lag = 0;
    };
    // The same, per owned partition (kafka_consumergroup_lag's view).
    Result<std::vector<PartitionLag>> LagByPartition();
    const std::string& group() const { return options_.group; }
    const std::string& topic() const { return options_.topic; }

  private:
    struct PartitionState {
        int64_t next = 0;        // the next offset to apply
        int attempts = 0;        // failures of the record at `next`
        int64_t retry_at = 0;    // no pass before this time (ms)
        bool caught_up = false;  // the last pass reached the end of the partition
        int64_t committed = 0;   // the offset the log holds for the group (`next` once committed)
    };
    enum class Outcome { kApplied, kDuplicate, kSkipped, kParked, kRetry, kAbort };

    int64_t Now() const;
    Status Rebalance(int64_t now);
    int ProcessPartition(int partition, PartitionState& state, int64_t now);
    Outcome Apply(const Record& record, PartitionState& state, int64_t now);
    Millis Backoff(int attempts) const;
    void CommitOffset(int partition, PartitionState& state);

    store::Database& db_;
    EventLog& log_;
    ConsumerOptions options_;
    std::map<std::string, Handler, std::less<>> handlers_;
    std::vector<int> owned_;
    std::map<int, PartitionState> partitions_;
    bool joined_ = false;
    int64_t next_heartbeat_ = 0;
    int64_t seen_version_ = -1;
    int64_t processed_ = 0;
    int64_t duplicates_ = 0;
    int64_t skipped_ = 0;
    int64_t dead_lettered_ = 0;
    int64_t busy_ = 0;
    int64_t last_heartbeat_ = 0;
    std::string heartbeat_error_;
};

}  // namespace reservo::messaging
