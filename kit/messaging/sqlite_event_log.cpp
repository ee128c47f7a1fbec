#include "kit/messaging/sqlite_event_log.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;
using store::Value;

// The schema of the shared events.db. `payload` is the structured CloudEvent JSON; id, type
// and subject are copied out for operators' queries.
constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE topics (topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL CHECK (partitions > 0));"
     "CREATE TABLE events (topic TEXT NOT NULL, part INTEGER NOT NULL, off INTEGER NOT NULL, id TEXT NOT NULL,"
     " type TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL, appended_at INTEGER NOT NULL,"
     " PRIMARY KEY (topic, part, off)) WITHOUT ROWID;"
     "CREATE TABLE offsets (grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL,"
     " next_off INTEGER NOT NULL, PRIMARY KEY (grp, topic, part)) WITHOUT ROWID;"
     "CREATE TABLE members (grp TEXT NOT NULL, topic TEXT NOT NULL, member TEXT NOT NULL,"
     " heartbeat_ms INTEGER NOT NULL, PRIMARY KEY (grp, topic, member)) WITHOUT ROWID;"},
    {2, "CREATE TABLE stores (service TEXT PRIMARY KEY, store_id TEXT NOT NULL, view_version INTEGER NOT NULL)"},
};

constexpr Sql kCreateTopic{"create_topic",
                           "INSERT INTO topics (topic, partitions) VALUES (?, ?) ON CONFLICT (topic) DO NOTHING"};
constexpr Sql kTopicPartitions{"topic_partitions", "SELECT partitions FROM topics WHERE topic = ?"};
constexpr Sql kEndOffset{"end_offset", "SELECT COALESCE(MAX(off) + 1, 0) FROM events WHERE topic = ? AND part = ?"};
constexpr Sql kStartOffset{"start_offset", "SELECT MIN(off) FROM events WHERE topic = ? AND part = ?"};
constexpr Sql kTopics{"list_topics", "SELECT topic, partitions FROM topics ORDER BY topic"};
constexpr Sql kOldestRecords{"oldest_records",
                             "SELECT off, appended_at FROM events WHERE topic = ? AND part = ? ORDER BY off LIMIT ?"};
constexpr Sql kDeleteUpTo{"delete_records_up_to", "DELETE FROM events WHERE topic = ? AND part = ? AND off <= ?"};
constexpr Sql kAppend{"append_event",
                      "INSERT INTO events (topic, part, off, id, type, subject, payload, appended_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Sql kFetch{"fetch_events",
                     "SELECT off, payload, appended_at, id, type, subject FROM events"
                     " WHERE topic = ? AND part = ? AND off >= ? ORDER BY off LIMIT ?"};
constexpr Sql kCommitted{"committed_offset", "SELECT next_off FROM offsets WHERE grp = ? AND topic = ? AND part = ?"};
constexpr Sql kCommit{"commit_offset",
                      "INSERT INTO offsets (grp, topic, part, next_off) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT (grp, topic, part) DO UPDATE SET next_off = MAX(next_off, excluded.next_off)"};
constexpr Sql kBeat{"member_heartbeat",
                    "INSERT INTO members (grp, topic, member, heartbeat_ms) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (grp, topic, member) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms"};
constexpr Sql kExpire{"expire_members", "DELETE FROM members WHERE grp = ? AND topic = ? AND heartbeat_ms < ?"};
constexpr Sql kLiveMembers{"live_members", "SELECT member FROM members WHERE grp = ? AND topic = ? ORDER BY member"};
constexpr Sql kLeave{"leave_group", "DELETE FROM members WHERE grp = ? AND member = ?"};

constexpr Sql kKnownStore{"known_store", "SELECT store_id, view_version FROM stores WHERE service = ?"};
constexpr Sql kAdoptStore{"adopt_store",
                          "INSERT INTO stores (service, store_id, view_version) VALUES (?, ?, ?) ON CONFLICT (service)"
                          " DO UPDATE SET store_id = excluded.store_id, view_version = excluded.view_version"};
constexpr Sql kForgetOffsets{"forget_offsets", "DELETE FROM offsets WHERE grp = ? AND topic = ?"};
constexpr Sql kCheck{"check_log", "SELECT COUNT(*) FROM topics"};
constexpr Sql kSyncFull{"sync_full", "PRAGMA synchronous=FULL"};
constexpr Sql kSyncNormal{"sync_normal", "PRAGMA synchronous=NORMAL"};

Value Text(std::string_view s) { return std::string(s); }

// What a damaged file means for an operator, in one line.
Error Damaged(const std::string& path, const Error& cause) {
    return Error{Code::kUnavailable, "event log " + path + " is unusable (" + cause.message +
                                         "): restore it from a backup, or move it (with its -wal and -shm files) "
                                         "away to start an empty log"};
}

}  // namespace

Result<std::unique_ptr<SqliteEventLog>> SqliteEventLog::Open(const std::string& path, int partitions,
                                                             SqliteEventLogOptions options) {
    if (partitions <= 0) return Fail(Code::kInvalidArgument, "partitions must be positive");
    auto db = store::SqliteDatabase::Open(path, options.busy_timeout_ms);
    if (!db) return Fail(Damaged(path, db.error()));
    if (auto st = (*db)->Migrate(kMigrations); !st) return Fail(Damaged(path, st.error()));
    std::unique_ptr<SqliteEventLog> log(new SqliteEventLog(std::move(*db), path, partitions, std::move(options)));
    if (auto st = log->Check(); !st) return Fail(st.error());
    return log;
}

SqliteEventLog::SqliteEventLog(std::unique_ptr<store::SqliteDatabase> db, std::string path, int partitions,
                               SqliteEventLogOptions options)
    : db_(std::move(db)), path_(std::move(path)), default_partitions_(partitions), options_(std::move(options)) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) inode_ = st.st_ino;
    if (auto bell = store::Doorbell::Open(path_ + "-doorbell")) {
        doorbell_.emplace(std::move(*bell));
    } else {  // e.g. fs.inotify.max_user_instances reached: consumers poll instead
        log::Warn("event log has no doorbell; consumers poll it", {{"error", bell.error().message}});
    }
}

Status SqliteEventLog::Check() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        return Fail(Code::kUnavailable, "event log " + path_ + " is missing: " + std::strerror(errno));
    }
    if (st.st_ino != inode_) return Fail(Code::kUnavailable, "event log " + path_ + " was replaced while in use");
    if (st.st_size == 0) return Fail(Code::kUnavailable, "event log " + path_ + " was truncated while in use");
    auto rows = db_->Query(kCheck);
    if (!rows) return Fail(Damaged(path_, rows.error()));
    return Ok();
}

Result<std::optional<StoreRecord>> SqliteEventLog::KnownStore(std::string_view service) {
    auto rows = db_->Query(kKnownStore, {Text(service)});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<StoreRecord>();
    return std::optional<StoreRecord>(
        StoreRecord{.store_id = rows->front().Text(0), .view_version = static_cast<int>(rows->front().Int(1))});
}

Status SqliteEventLog::AdoptStore(std::string_view service, const StoreRecord& store, std::string_view topic,
                                  bool replay) {
    auto tx = db_->Begin();
    if (!tx) return Fail(tx.error());
    auto adopted = db_->Execute(kAdoptStore, {Text(service), store.store_id, int64_t{store.view_version}});
    if (!adopted) return Fail(adopted.error());
    if (replay) {
        if (auto r = db_->Execute(kForgetOffsets, {Text(service), Text(topic)}); !r) return Fail(r.error());
    }
    return tx->Commit();
}

std::span<const store::Migration> SqliteEventLog::Migrations() { return kMigrations; }

int64_t SqliteEventLog::Now() const { return options_.now_ms ? options_.now_ms() : NowUnixMillis(); }

Result<int> SqliteEventLog::PartitionsLocked(std::string_view topic) {
    if (auto it = partitions_.find(topic); it != partitions_.end()) return it->second;
    if (auto created = db_->Execute(kCreateTopic, {Text(topic), int64_t{default_partitions_}}); !created) {
        return Fail(created.error());
    }
    auto row = db_->QueryOne(kTopicPartitions, {Text(topic)});
    if (!row) return Fail(row.error());
    return static_cast<int>(row->Int(0));  // cached by the caller once committed
}

int SqliteEventLog::Partitions(std::string_view topic) {
    if (auto it = partitions_.find(topic); it != partitions_.end()) return it->second;
    // A read first: creating the topic takes the write lock, which may be busy.
    if (auto rows = db_->Query(kTopicPartitions, {Text(topic)}); rows && !rows->empty()) {
        int n = static_cast<int>(rows->front().Int(0));
        partitions_.emplace(std::string(topic), n);
        return n;
    }
    Result<int> n = Fail(Code::kInternal, "not read");
    if (auto tx = db_->TryBegin(); !tx) {
        n = Fail(tx.error());
    } else if (n = PartitionsLocked(topic); n) {
        if (auto st = tx->Commit(); !st) n = Fail(st.error());
    }
    if (!n) {
        log::Debug("topic partitions unknown for now, using the configured count",
                   {{"topic", topic}, {"error", n.error().message}});
        return default_partitions_;
    }
    partitions_.emplace(std::string(topic), *n);
    return *n;
}

Status SqliteEventLog::Append(std::string_view topic, std::span<const CloudEvent> events) {
    if (events.empty()) return Ok();
    const int64_t now = Now();
    // This commit must be durable before the relay deletes the outbox rows it came from.
    if (auto r = db_->Execute(kSyncFull); !r) return Fail(r.error());
    struct Relax {
        store::SqliteDatabase& db;
        ~Relax() { (void)db.Execute(kSyncNormal); }
    } relax{*db_};
    auto tx = db_->TryBegin();
    if (!tx) return Fail(tx.error());
    auto partitions = PartitionsLocked(topic);
    if (!partitions) return Fail(partitions.error());
    std::map<int, int64_t> next;  // partition → next offset, within this transaction
    for (const auto& event : events) {
        const int part = PartitionFor(event.subject, *partitions);
        auto it = next.find(part);
        if (it == next.end()) {
            auto end = db_->QueryOne(kEndOffset, {Text(topic), int64_t{part}});
            if (!end) return Fail(end.error());
            it = next.emplace(part, end->Int(0)).first;
        }
        auto inserted = db_->Execute(kAppend, {Text(topic), int64_t{part}, it->second, event.id, event.type,
                                               event.subject, event.ToJson(), now});
        if (!inserted) return Fail(inserted.error());
        ++it->second;
    }
    if (auto st = tx->Commit(); !st) return st;
    partitions_.emplace(std::string(topic), *partitions);
    ++local_appends_;
    if (doorbell_) doorbell_->Ring();  // after the commit: whoever it wakes sees the records
    return Ok();
}

Result<std::vector<Record>> SqliteEventLog::Fetch(std::string_view topic, int partition, int64_t from_offset, int max) {
    auto rows = db_->Query(kFetch, {Text(topic), int64_t{partition}, from_offset, int64_t{std::max(max, 1)}});
    if (!rows) return Fail(rows.error());
    std::vector<Record> out;
    out.reserve(rows->size());
    for (const auto& row : *rows) {
        Record record{.partition = partition, .offset = row.Int(0), .appended_at_ms = row.Int(2)};
        if (auto event = CloudEvent::FromJson(row.Text(1))) {
            record.event = std::move(*event);
        } else {
            // Never block the partition on an unreadable payload: hand over what the columns say.
            log::Error("unreadable event payload",
                       {{"topic", topic}, {"offset", record.offset}, {"error", event.error().message}});
            record.event.id = row.Text(3);
            record.event.type = row.Text(4);
            record.event.subject = row.Text(5);
        }
        out.push_back(std::move(record));
    }
    return out;
}

Result<int64_t> SqliteEventLog::Committed(std::string_view group, std::string_view topic, int partition) {
    auto rows = db_->Query(kCommitted, {Text(group), Text(topic), int64_t{partition}});
    if (!rows) return Fail(rows.error());
    return rows->empty() ? 0 : rows->front().Int(0);
}

Status SqliteEventLog::Commit(std::string_view group, std::string_view topic, int partition, int64_t next_offset) {
    auto tx = db_->TryBegin();
    if (!tx) return Fail(tx.error());
    if (auto r = db_->Execute(kCommit, {Text(group), Text(topic), int64_t{partition}, next_offset}); !r) {
        return Fail(r.error());
    }
    return tx->Commit();
}

Result<int64_t> SqliteEventLog::EndOffset(std::string_view topic, int partition) {
    auto row = db_->QueryOne(kEndOffset, {Text(topic), int64_t{partition}});
    if (!row) return Fail(row.error());
    return row->Int(0);
}

Result<int64_t> SqliteEventLog::StartOffset(std::string_view topic, int partition) {
    auto row = db_->QueryOne(kStartOffset, {Text(topic), int64_t{partition}});
    if (!row) return Fail(row.error());
    if (row->IsNull(0)) return EndOffset(topic, partition);
    return row->Int(0);
}

Pruned SqliteEventLog::DeleteExpired(int64_t retention_ms, int max_per_partition) {
    Pruned out;
    if (retention_ms <= 0) return out;
    const int64_t cutoff = Now() - retention_ms;
    const int64_t batch = std::max(max_per_partition, 1);
    auto topics = db_->Query(kTopics);
    if (!topics) {
        log::Warn("event log retention skipped", {{"error", topics.error().message}});
        return out;
    }
    for (const auto& row : *topics) {
        const std::string topic = row.Text(0);
        for (int64_t part = 0; part < row.Int(1); ++part) {
            // A read first: a partition with nothing expired costs no write lock.
            auto first = db_->Query(kOldestRecords, {topic, part, int64_t{2}});
            if (!first || first->size() < 2 || first->front().Int(1) >= cutoff) continue;
            auto tx = db_->TryBegin();
            if (!tx) {
                ++out.busy;
                out.more = true;
                continue;
            }
            auto oldest = db_->Query(kOldestRecords, {topic, part, batch + 1});
            auto end = db_->QueryOne(kEndOffset, {topic, part});
            if (!oldest || !end) {
                log::Warn("event log retention skipped a partition",
                          {{"topic", topic},
                           {"partition", part},
                           {"error", (!oldest ? oldest.error() : end.error()).message}});
                continue;
            }
            // The expired prefix: records stay dense from the first kept one, and the newest stays.
            std::optional<int64_t> last;
            int64_t count = 0;
            for (const auto& record : *oldest) {
                if (count == batch || record.Int(1) >= cutoff || record.Int(0) + 1 >= end->Int(0)) break;
                last = record.Int(0);
                ++count;
            }
            if (!last) continue;
            auto deleted = db_->Execute(kDeleteUpTo, {topic, part, *last});
            if (!deleted) continue;
            if (auto st = tx->Commit(); !st) continue;
            out.deleted += *deleted;
            if (count == batch) out.more = true;
        }
    }
    return out;
}

Result<std::vector<int>> SqliteEventLog::Heartbeat(std::string_view group, std::string_view topic,
                                                   std::string_view member_id) {
    const int64_t now = Now();
    auto tx = db_->TryBegin();
    if (!tx) return Fail(tx.error());
    auto partitions = PartitionsLocked(topic);
    if (!partitions) return Fail(partitions.error());
    if (auto r = db_->Execute(kBeat, {Text(group), Text(topic), Text(member_id), now}); !r) return Fail(r.error());
    if (auto r = db_->Execute(kExpire, {Text(group), Text(topic), now - options_.session_timeout_ms}); !r) {
        return Fail(r.error());
    }
    auto rows = db_->Query(kLiveMembers, {Text(group), Text(topic)});
    if (!rows) return Fail(rows.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    partitions_.emplace(std::string(topic), *partitions);
    int index = -1;
    for (size_t i = 0; i < rows->size(); ++i) {
        if ((*rows)[i].Text(0) == member_id) index = static_cast<int>(i);
    }
    return AssignedPartitions(*partitions, static_cast<int>(rows->size()), index);
}

void SqliteEventLog::Leave(std::string_view group, std::string_view member_id) {
    auto tx = db_->BeginWithin(options_.leave_wait_ms);
    if (tx && db_->Execute(kLeave, {Text(group), Text(member_id)}) && tx->Commit()) return;
    log::Warn("leaving the consumer group failed; the others take over after the session timeout",
              {{"group", group}, {"member", member_id}});
}

int64_t SqliteEventLog::Version() { return db_->DataVersion() + local_appends_; }

}  // namespace reservo::messaging
