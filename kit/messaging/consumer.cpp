#include "kit/messaging/consumer.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <optional>
#include <utility>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;

constexpr store::Migration kMigrations[] = {
    {9011,
     "CREATE TABLE inbox (grp TEXT NOT NULL, event_id TEXT NOT NULL, applied_at INTEGER NOT NULL,"
     " PRIMARY KEY (grp, event_id))"},
    {9012,
     "CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, topic TEXT NOT NULL,"
     " part INTEGER NOT NULL, off INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,"
     " subject TEXT NOT NULL, payload TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,"
     " parked_at TEXT NOT NULL, UNIQUE (grp, event_id))"},
    {9013, "CREATE INDEX inbox_by_applied_at ON inbox (applied_at)"},  // retention, on any engine
};

constexpr Sql kSavepoint{"event_savepoint", "SAVEPOINT reservo_event"};
constexpr Sql kRelease{"event_release", "RELEASE SAVEPOINT reservo_event"};
constexpr Sql kRollbackTo{"event_rollback", "ROLLBACK TO SAVEPOINT reservo_event"};
constexpr Sql kRecord{"inbox_record",
                      "INSERT INTO inbox (grp, event_id, applied_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"};
constexpr Sql kPark{"dead_letter_park",
                    "INSERT INTO dead_letters (grp, topic, part, off, event_id, type, subject, payload, error,"
                    " attempts, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"};
constexpr Sql kDeadLetters{"dead_letters_list",
                           "SELECT id, grp, topic, part, off, event_id, type, subject, payload, error, attempts,"
                           " parked_at FROM dead_letters WHERE grp = ? ORDER BY id"};
constexpr Sql kDeadLetter{"dead_letter_get",
                          "SELECT id, grp, topic, part, off, event_id, type, subject, payload, error, attempts,"
                          " parked_at FROM dead_letters WHERE id = ? AND grp = ?"};
constexpr Sql kCountDeadLetters{"dead_letters_count", "SELECT COUNT(*) FROM dead_letters WHERE grp = ?"};
constexpr Sql kUnpark{"dead_letter_unpark", "DELETE FROM dead_letters WHERE id = ?"};
constexpr Sql kReplayFailed{"dead_letter_replay_failed",
                            "UPDATE dead_letters SET attempts = attempts + 1, error = ? WHERE id = ?"};
constexpr Sql kInboxDeleteOldest{"inbox_delete_oldest",
                                 "DELETE FROM inbox WHERE (grp, event_id) IN (SELECT grp, event_id FROM inbox"
                                 " WHERE applied_at < ? ORDER BY applied_at LIMIT ?)"};

DeadLetter ToDeadLetter(const store::Row& row) {
    return DeadLetter{
        .id = row.Int(0),
        .group = row.Text(1),
        .topic = row.Text(2),
        .partition = static_cast<int>(row.Int(3)),
        .offset = row.Int(4),
        .event_id = row.Text(5),
        .type = row.Text(6),
        .subject = row.Text(7),
        .payload = row.Text(8),
        .error = row.Text(9),
        .attempts = static_cast<int>(row.Int(10)),
        .parked_at = row.Text(11),
    };
}

// Runs a handler; an escaping exception is a bug in it, hence a permanent failure.
Status Invoke(const Handler& handler, const CloudEvent& event, store::Database& db) {
    try {
        return handler(event, db);
    } catch (const std::exception& e) {
        return Fail(Code::kInternal, std::string("handler threw: ") + e.what());
    } catch (...) {
        return Fail(Code::kInternal, "handler threw");
    }
}

int64_t SteadyMillis() { return std::chrono::duration_cast<Millis>(SteadyClock::now().time_since_epoch()).count(); }

// A write lock held by another connection (or the file unusable for now): try again later.
bool Busy(const Error& error) { return error.code == Code::kUnavailable; }

}  // namespace

Consumer::Consumer(store::Database& db, EventLog& log, ConsumerOptions options)
    : db_(db), log_(log), options_(std::move(options)) {
    if (options_.member_id.empty()) options_.member_id = RandomHexId(8);
    options_.max_attempts = std::max(options_.max_attempts, 1);
    options_.batch = std::max(options_.batch, 1);
    last_heartbeat_ = Now();  // grace from the start, not from the epoch
}

std::span<const store::Migration> Consumer::Migrations() { return kMigrations; }

void Consumer::On(std::string type, Handler handler) { handlers_[std::move(type)] = std::move(handler); }

int64_t Consumer::Now() const { return options_.now_ms ? options_.now_ms() : SteadyMillis(); }

Millis Consumer::Backoff(int attempts) const {
    Millis delay = options_.initial_backoff;
    for (int i = 1; i < attempts && delay < options_.max_backoff; ++i) delay *= 2;
    return std::min(delay, options_.max_backoff);
}

Result<int> Consumer::PollOnce() {
    const int64_t now = Now();
    if (!joined_ || now >= next_heartbeat_) {
        if (auto st = Rebalance(now); !st) {
            heartbeat_error_ = st.error().message;
            if (Busy(st.error())) {
                ++busy_;
            } else if (joined_) {
                log::Warn("consumer heartbeat failed; keeping the last assignment",
                          {{"group", options_.group}, {"error", st.error().message}});
            }
            if (!joined_) return Fail(st.error());
        }
    }
    // Read before fetching: whatever is appended from now on moves it again.
    const int64_t version = log_.Version();
    const bool changed = version != seen_version_;
    seen_version_ = version;

    int consumed = 0;
    for (int partition : owned_) {
        PartitionState& state = partitions_[partition];
        if (state.committed < state.next) CommitOffset(partition, state);  // one skipped earlier
        if (state.retry_at > now) continue;
        if (state.caught_up && !changed) continue;
        consumed += ProcessPartition(partition, state, now);
    }
    return consumed;
}

Millis Consumer::UntilNextPass() const {
    const int64_t now = Now();
    int64_t at = next_heartbeat_;  // after a failed join too: Rebalance set it to the backoff
    for (int partition : owned_) {
        auto it = partitions_.find(partition);
        if (it == partitions_.end()) continue;
        const PartitionState& state = it->second;
        if (state.committed < state.next) at = std::min(at, now + options_.busy_retry.count());
        if (!state.caught_up) at = std::min(at, state.retry_at);
    }
    return Millis(std::max<int64_t>(0, at - now));
}

Status Consumer::Rebalance(int64_t now) {
    auto owned = log_.Heartbeat(options_.group, options_.topic, options_.member_id);
    if (!owned) {
        next_heartbeat_ = now + options_.initial_backoff.count();
        return Fail(owned.error());
    }
    std::map<int, PartitionState> states;
    for (int partition : *owned) {
        auto committed = log_.Committed(options_.group, options_.topic, partition);
        if (!committed) {
            next_heartbeat_ = now + options_.initial_backoff.count();
            return Fail(committed.error());
        }
        PartitionState state;
        if (auto it = partitions_.find(partition); it != partitions_.end()) state = it->second;
        // Another member may have moved on while both owned it during a rebalance.
        if (*committed > state.next) state = PartitionState{.next = *committed};
        state.committed = *committed;
        states.emplace(partition, state);
    }
    if (*owned != owned_) {
        // One line per change of this member's share, on either event log (the embedded one's
        // heartbeats, or Kafka's rebalance callbacks behind Heartbeat).
        std::vector<int> now = *owned, before = owned_, assigned, revoked;
        std::ranges::sort(now);
        std::ranges::sort(before);
        std::ranges::set_difference(now, before, std::back_inserter(assigned));
        std::ranges::set_difference(before, now, std::back_inserter(revoked));
        log::Info("consumer group rebalanced", {{"group", options_.group},
                                                {"topic", options_.topic},
                                                {"member", options_.member_id},
                                                {"assigned", assigned},
                                                {"revoked", revoked},
                                                {"partitions", now}});
    }
    owned_ = std::move(*owned);
    partitions_ = std::move(states);
    joined_ = true;
    last_heartbeat_ = now;
    heartbeat_error_.clear();
    next_heartbeat_ = now + options_.heartbeat_interval.count();
    return Ok();
}

int Consumer::ProcessPartition(int partition, PartitionState& state, int64_t now) {
    auto records = log_.Fetch(options_.topic, partition, state.next, options_.batch);
    if (!records) {
        log::Warn("event fetch failed", {{"topic", options_.topic}, {"error", records.error().message}});
        state.retry_at = now + Backoff(1).count();
        state.caught_up = false;  // retry after the backoff even if no one else writes to the log
        return 0;
    }
    if (records->empty()) {
        state.caught_up = true;
        return 0;
    }
    if (records->front().offset > state.next) {
        // What the group had not read yet was deleted by the log's retention.
        log::Warn("committed offset is below the earliest retained event; resuming from the earliest",
                  {{"group", options_.group},
                   {"topic", options_.topic},
                   {"partition", partition},
                   {"committed", state.next},
                   {"earliest", records->front().offset}});
        state.next = records->front().offset;
        state.attempts = 0;
    }
    // One transaction per batch, a savepoint per event: a failing event undoes only itself. The
    // lock is taken only if free: a busy one is not the event's failure, so no attempt is counted.
    auto tx = db_.TryBegin();
    if (!tx) {
        if (Busy(tx.error())) {
            ++busy_;
            state.retry_at = now + options_.busy_retry.count();
        } else {
            log::Warn("consumer transaction failed to start",
                      {{"group", options_.group}, {"error", tx.error().message}});
            state.retry_at = now + Backoff(1).count();
        }
        state.caught_up = false;
        return 0;
    }
    const int attempts_before = state.attempts;
    int64_t next = state.next;
    int64_t applied = 0, duplicates = 0, skipped = 0, parked = 0;
    bool stopped = false;
    bool aborted = false;
    for (const Record& record : *records) {
        if (record.offset < next) continue;
        Outcome outcome = Apply(record, state, now);
        if (outcome == Outcome::kRetry) stopped = true;
        if (outcome == Outcome::kAbort) aborted = true;
        if (stopped || aborted) break;
        applied += outcome == Outcome::kApplied;
        duplicates += outcome == Outcome::kDuplicate;
        skipped += outcome == Outcome::kSkipped;
        parked += outcome == Outcome::kParked;
        next = record.offset + 1;
        state.attempts = 0;
    }
    Status committed = aborted ? Fail(Code::kUnavailable, "consumer transaction aborted") : tx->Commit();
    if (!committed) {
        tx->Rollback();
        log::Warn("consumer batch rolled back", {{"group", options_.group}, {"error", committed.error().message}});
        state.attempts = attempts_before;
        state.retry_at = now + Backoff(1).count();
        state.caught_up = false;
        return 0;
    }
    processed_ += applied;
    duplicates_ += duplicates;
    skipped_ += skipped;
    dead_lettered_ += parked;
    const int consumed = static_cast<int>(next - state.next);
    if (next != state.next) {
        state.next = next;
        // After the local commit: a crash in between redelivers, and the inbox absorbs it.
        CommitOffset(partition, state);
    }
    state.caught_up = !stopped && records->size() < static_cast<size_t>(options_.batch);
    return consumed;
}

void Consumer::CommitOffset(int partition, PartitionState& state) {
    auto st = log_.Commit(options_.group, options_.topic, partition, state.next);
    if (st) {
        state.committed = state.next;
    } else if (Busy(st.error())) {
        ++busy_;  // the next pass tries again
    } else {
        log::Warn("offset commit failed", {{"group", options_.group}, {"error", st.error().message}});
    }
}

Consumer::Outcome Consumer::Apply(const Record& record, PartitionState& state, int64_t now) {
    const CloudEvent& event = record.event;
    auto handler = handlers_.find(event.type);
    if (handler == handlers_.end()) return Outcome::kSkipped;
    // What the handler does and logs continues the trace of the work that published the event.
    trace::Scope traced(event.traceparent);

    if (!db_.Execute(kSavepoint)) return Outcome::kAbort;
    Status status;
    if (event.id.empty()) {
        status = Fail(Code::kInvalidArgument, "event without id");
    } else {
        auto recorded = db_.Execute(kRecord, {options_.group, event.id, NowUnixMillis()});
        if (!recorded) return Outcome::kAbort;
        if (*recorded == 0) return db_.Execute(kRelease) ? Outcome::kDuplicate : Outcome::kAbort;
        status = Invoke(handler->second, event, db_);
        if (status) {
            if (!db_.Execute(kRelease)) return Outcome::kAbort;
            log::Debug("event applied", {{"group", options_.group},
                                         {"type", event.type},
                                         {"eventId", event.id},
                                         {"subject", event.subject},
                                         {"partition", record.partition},
                                         {"offset", record.offset}});
            return Outcome::kApplied;
        }
    }
    // The handler's writes and the inbox row go; the batch's earlier events stay.
    if (!db_.Execute(kRollbackTo) || !db_.Execute(kRelease)) return Outcome::kAbort;

    const int attempts = ++state.attempts;
    if (IsTransient(status.error().code) && attempts < options_.max_attempts) {
        state.retry_at = now + Backoff(attempts).count();
        log::Debug("event handler failed, will retry", {{"group", options_.group},
                                                        {"type", event.type},
                                                        {"eventId", event.id},
                                                        {"attempt", attempts},
                                                        {"retryInMs", Backoff(attempts).count()},
                                                        {"error", status.error().message}});
        return Outcome::kRetry;
    }
    auto parked = db_.Execute(
        kPark, {options_.group, options_.topic, int64_t{record.partition}, record.offset, event.id, event.type,
                event.subject, event.ToJson(), status.error().message, int64_t{attempts}, NowIso8601()});
    if (!parked) return Outcome::kAbort;
    log::Warn("event parked as dead letter", {{"group", options_.group},
                                              {"topic", options_.topic},
                                              {"partition", record.partition},
                                              {"offset", record.offset},
                                              {"type", event.type},
                                              {"eventId", event.id},
                                              {"subject", event.subject},
                                              {"attempts", attempts},
                                              {"error", status.error().message}});
    return Outcome::kParked;
}

Result<int> Consumer::ReplayDeadLetter(int64_t id) {
    auto row = db_.QueryOne(kDeadLetter, {id, options_.group});
    if (!row) return Fail(row.error().code, "dead letter " + std::to_string(id) + ": " + row.error().message);
    const DeadLetter letter = ToDeadLetter(*row);
    auto event = CloudEvent::FromJson(letter.payload);
    if (!event) return Fail(event.error());
    auto handler = handlers_.find(event->type);
    if (handler == handlers_.end()) return Fail(Code::kFailedPrecondition, "no handler for " + event->type);

    // The replay and what the handler logs belong to the event's trace, as its first delivery did.
    trace::Scope traced(event->traceparent);
    auto tx = db_.TryBegin();
    if (!tx) return Fail(tx.error());
    auto recorded = db_.Execute(kRecord, {options_.group, event->id, NowUnixMillis()});
    if (!recorded) return Fail(recorded.error());
    Status status = *recorded == 0 ? Ok() : Invoke(handler->second, *event, db_);
    if (!status) {
        tx->Rollback();
        if (auto again = db_.TryBegin()) {
            if (db_.Execute(kReplayFailed, {status.error().message, id})) (void)again->Commit();
        }
        log::Warn("dead letter replay failed; it stays parked", {{"group", options_.group},
                                                                 {"deadLetter", id},
                                                                 {"type", event->type},
                                                                 {"eventId", event->id},
                                                                 {"subject", event->subject},
                                                                 {"attempts", letter.attempts + 1},
                                                                 {"error", status.error().message}});
        return Fail(status.error());
    }
    if (auto r = db_.Execute(kUnpark, {id}); !r) return Fail(r.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    const bool applied = *recorded != 0;
    log::Info("dead letter replayed", {{"group", options_.group},
                                       {"deadLetter", id},
                                       {"type", event->type},
                                       {"eventId", event->id},
                                       {"subject", event->subject},
                                       {"applied", applied},  // false: it had been applied already
                                       {"parkedAt", letter.parked_at}});
    if (!applied) return 0;
    ++processed_;
    return 1;
}

Result<std::vector<DeadLetter>> Consumer::DeadLetters() {
    auto rows = db_.Query(kDeadLetters, {options_.group});
    if (!rows) return Fail(rows.error());
    std::vector<DeadLetter> out;
    out.reserve(rows->size());
    for (const auto& row : *rows) out.push_back(ToDeadLetter(row));
    return out;
}

Result<int64_t> Consumer::DeadLetterCount() {
    auto row = db_.QueryOne(kCountDeadLetters, {options_.group});
    if (!row) return Fail(row.error());
    return row->Int(0);
}

Result<int64_t> Consumer::Lag() {
    auto parts = LagByPartition();
    if (!parts) return Fail(parts.error());
    int64_t lag = 0;
    for (const auto& p : *parts) lag += p.lag;
    return lag;
}

Result<std::vector<Consumer::PartitionLag>> Consumer::LagByPartition() {
    std::vector<PartitionLag> out;
    for (int partition : owned_) {
        auto end = log_.EndOffset(options_.topic, partition);
        if (!end) return Fail(end.error());
        auto committed = log_.Committed(options_.group, options_.topic, partition);
        if (!committed) return Fail(committed.error());
        auto start = log_.StartOffset(options_.topic, partition);  // what retention deleted is not lag
        if (!start) return Fail(start.error());
        out.push_back({partition, std::max<int64_t>(*end - std::max(*committed, *start), 0)});
    }
    return out;
}

Pruned Consumer::PruneInbox(store::Database& db, int64_t before_unix_ms, int max) {
    Pruned out;
    auto tx = db.TryBegin();
    if (!tx) {
        out.busy = 1;
        out.more = true;
        return out;
    }
    const int batch = std::max(max, 1);
    auto deleted = db.Execute(kInboxDeleteOldest, {before_unix_ms, int64_t{batch}});
    if (!deleted) {
        log::Warn("inbox retention skipped", {{"error", deleted.error().message}});
        return out;
    }
    if (*deleted == 0) return out;
    if (auto st = tx->Commit(); !st) {
        log::Warn("inbox retention skipped", {{"error", st.error().message}});
        return out;
    }
    out.deleted = *deleted;
    out.more = *deleted == batch;
    return out;
}

void Consumer::Close() {
    log_.Leave(options_.group, options_.member_id);
    owned_.clear();
    partitions_.clear();
    joined_ = false;
}

}  // namespace reservo::messaging
