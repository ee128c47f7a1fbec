// The embedded EventLog: one SQLite file (e.g. <data>/events.db) shared by every process of
// a system. WAL lets readers run beside the single writer; writes are BEGIN IMMEDIATE
// transactions, so concurrent appenders serialize and offsets stay dense per partition.
//
//   auto log = messaging::SqliteEventLog::Open(data_dir + "/events.db", 8).value();
//   log->Append("reservations", events);
//
// Every process of a system writes to this file, so it is the most contended one: what an event
// loop calls (Append, Commit, Heartbeat, DeleteExpired) takes the write lock only if it is free
// and otherwise fails at once with Unavailable; only Open and AdoptStore (start-up) wait for it.
//
// Appends are durable before they return (synchronous=FULL), so the relay never deletes an outbox
// row whose event a power loss could still take back; offsets and heartbeats, which a crash may
// safely roll back (the inbox absorbs the redelivery), are not synced.
//
// A topic's partition count is fixed by whichever process touches the topic first (like
// creating a Kafka topic); later opens with another number keep the stored one.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kit/messaging/event_log.hpp"
#include "kit/store/doorbell.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::messaging {

struct SqliteEventLogOptions {
    // A member that has not heartbeated for this long loses its partitions.
    int64_t session_timeout_ms = 3000;
    // Wall clock in Unix ms (heartbeats are compared across processes); empty → NowUnixMillis.
    MillisSource now_ms;
    int busy_timeout_ms = 5000;  // how long start-up work (Open, AdoptStore) waits for the write lock
    int leave_wait_ms = 500;     // how long Leave, at shutdown, waits for it
};

class SqliteEventLog final : public EventLog {
  public:
    static Result<std::unique_ptr<SqliteEventLog>> Open(const std::string& path, int partitions,
                                                        SqliteEventLogOptions options = {});

    Status Append(std::string_view topic, std::span<const CloudEvent> events) override;
    Result<std::vector<Record>> Fetch(std::string_view topic, int partition, int64_t from_offset, int max) override;
    Result<int64_t> Committed(std::string_view group, std::string_view topic, int partition) override;
    Status Commit(std::string_view group, std::string_view topic, int partition, int64_t next_offset) override;
    Result<int64_t> EndOffset(std::string_view topic, int partition) override;
    Result<int64_t> StartOffset(std::string_view topic, int partition) override;
    int Partitions(std::string_view topic) override;
    Result<std::vector<int>> Heartbeat(std::string_view group, std::string_view topic,
                                       std::string_view member_id) override;
    void Leave(std::string_view group, std::string_view member_id) override;
    Status Check() override;
    Result<std::optional<StoreRecord>> KnownStore(std::string_view service) override;
    Status AdoptStore(std::string_view service, const StoreRecord& store, std::string_view topic, bool replay) override;
    int64_t Version() override;
    // The log's doorbell (<path>-doorbell), rung after each append commits (-1 if it could not be
    // opened: consumers poll then).
    int ChangeFd() override { return doorbell_ ? doorbell_->fd() : -1; }
    bool TakeChanges() override { return !doorbell_ || doorbell_->Take(); }

    // Deletes records appended more than `retention_ms` ago from the start of each partition, at
    // most `max_per_partition` per partition, one short transaction each, skipping a partition whose
    // lock is busy. The newest record of a partition stays, so its next offset is never reused.
    Pruned DeleteExpired(int64_t retention_ms, int max_per_partition = 500);

    // The schema, applied by Open.
    static std::span<const store::Migration> Migrations();

  private:
    SqliteEventLog(std::unique_ptr<store::SqliteDatabase> db, std::string path, int partitions,
                   SqliteEventLogOptions options);
    int64_t Now() const;
    // The topic's partition count, creating the topic if new; inside a write transaction.
    Result<int> PartitionsLocked(std::string_view topic);

    std::unique_ptr<store::SqliteDatabase> db_;
    std::string path_;
    ino_t inode_ = 0;  // of the file opened: another one at that path means the log was replaced
    int default_partitions_;
    SqliteEventLogOptions options_;
    std::map<std::string, int, std::less<>> partitions_;  // topic → partition count, once known
    int64_t local_appends_ = 0;                           // our own commits do not move SQLite's data_version
    std::optional<store::Doorbell> doorbell_;             // wakes idle consumers when any process appends
};

}  // namespace reservo::messaging
