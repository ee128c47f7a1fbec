// The EventLog port: a partitioned, append-only log of CloudEvents shaped like Kafka.
//
// Topics have a fixed number of partitions; an event goes to PartitionFor(subject), so the
// events of one aggregate keep their order. Consumer groups commit the next offset to read per
// partition and split the partitions among their live members. The embedded default is
// SqliteEventLog (one SQLite file shared by the processes of a system); Kafka implements the
// same port. Everything is thread-free and callers poll from their event loop, so nothing here
// waits for another process: a write that would wait for a lock fails at once with Unavailable
// (the caller tries again at its next tick), except Leave at shutdown, which waits briefly.
//
// Records older than the log's retention are deleted from the start of each partition, as
// Kafka's log retention does; offsets are never reused. A group whose committed offset points
// below StartOffset resumes from there (Kafka's auto.offset.reset=earliest).
//
//   log.Append("reservations", events);
//   auto owned = log.Heartbeat("notification", "reservations", member_id);  // e.g. {0, 2}
//   auto records = log.Fetch("reservations", 0, log.Committed("notification", "reservations", 0).value(), 64);
//   ... apply ...
//   log.Commit("notification", "reservations", 0, records->back().offset + 1);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/error.hpp"
#include "kit/messaging/cloud_event.hpp"

namespace reservo::messaging {

// The store a service ran with against this log: which database (its identity, made when the
// store was created) and, for a CQRS view, the version of its projection.
struct StoreRecord {
    std::string store_id;
    int view_version = 0;
};

// Milliseconds from some clock; injectable so tests control time.
using MillisSource = std::function<int64_t()>;

// One event as stored in a partition.
struct Record {
    int partition = 0;
    int64_t offset = 0;
    CloudEvent event;
    int64_t appended_at_ms = 0;  // Unix milliseconds
};

// What one pass of a retention clean-up did.
struct Pruned {
    int64_t deleted = 0;
    bool more = false;  // a batch was full or a lock was busy: another pass soon would delete more
    int busy = 0;       // steps skipped because another connection held the write lock
};

class EventLog {
  public:
    virtual ~EventLog() = default;

    // Appends atomically, each event to PartitionFor(event.subject, Partitions(topic)).
    virtual Status Append(std::string_view topic, std::span<const CloudEvent> events) = 0;
    // Up to `max` records of one partition from `from_offset` on, in offset order.
    virtual Result<std::vector<Record>> Fetch(std::string_view topic, int partition, int64_t from_offset, int max) = 0;
    // The next offset the group reads from this partition; 0 if it never committed.
    virtual Result<int64_t> Committed(std::string_view group, std::string_view topic, int partition) = 0;
    // Records the group's next offset; a smaller value than the stored one is ignored.
    virtual Status Commit(std::string_view group, std::string_view topic, int partition, int64_t next_offset) = 0;
    // The offset the next appended record of this partition will get.
    virtual Result<int64_t> EndOffset(std::string_view topic, int partition) = 0;
    // The first offset still held (those before it were deleted by retention); EndOffset when none.
    virtual Result<int64_t> StartOffset(std::string_view topic, int partition) = 0;
    virtual int Partitions(std::string_view topic) = 0;

    // Marks the member alive and returns the partitions it owns now (sorted). Members that
    // did not heartbeat within the session timeout lose theirs to the live ones.
    virtual Result<std::vector<int>> Heartbeat(std::string_view group, std::string_view topic,
                                               std::string_view member_id) = 0;
    // Leaves the group on every topic at once, so the others take over without waiting.
    virtual void Leave(std::string_view group, std::string_view member_id) = 0;

    // Whether the log is usable now; the error says what is wrong (a file missing, truncated or
    // damaged, a broker unreachable). Cheap enough for a readiness check every second.
    virtual Status Check() = 0;
    // The store `service` ran with last time, if it ever ran against this log.
    virtual Result<std::optional<StoreRecord>> KnownStore(std::string_view service) = 0;
    // Records `store` as the service's. With `replay`, the service's consumer group forgets its
    // offsets on `topic`, so its next poll starts from the first event (a view being rebuilt).
    virtual Status AdoptStore(std::string_view service, const StoreRecord& store, std::string_view topic,
                              bool replay) = 0;

    // Changes whenever records may have been appended, by this process or another (cheap).
    // Each poller keeps its own last seen value.
    virtual int64_t Version() = 0;
    // Whether Version() moved since the previous call (for a single waker per log instance).
    bool HasNewData();

    // A descriptor that turns readable once records were appended, by this process or another, so
    // an idle consumer sleeps until then instead of polling Version(); -1 when the log offers none
    // (poll). Once it is readable, TakeChanges() empties it and says whether anything was appended.
    virtual int ChangeFd() { return -1; }
    virtual bool TakeChanges() { return true; }

  private:
    int64_t seen_version_ = -1;
};

// Kafka's default partitioner for keyed records: toPositive(murmur2(key)) % partitions, so a
// subject lands on the same partition here and on Kafka (Java client, librdkafka murmur2_random).
int PartitionFor(std::string_view subject, int partitions);
// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit value.
int32_t Murmur2(std::string_view bytes);

// The partitions of `partitions` that member number `index` of `members` owns: p % members == index.
std::vector<int> AssignedPartitions(int partitions, int members, int index);

}  // namespace reservo::messaging
