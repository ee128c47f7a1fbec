#include "kit/messaging/outbox.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;

constexpr store::Migration kMigrations[] = {
    {9001,
     "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, type TEXT NOT NULL,"
     " subject TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL)"},
};

constexpr Sql kAdd{"outbox_add",
                   "INSERT INTO outbox (event_id, type, subject, payload, created_at) VALUES (?, ?, ?, ?, ?)"};
constexpr Sql kPeek{"outbox_peek", "SELECT seq FROM outbox ORDER BY seq LIMIT 1"};
constexpr Sql kOldest{"outbox_oldest", "SELECT seq, payload FROM outbox ORDER BY seq LIMIT ?"};
constexpr Sql kDelete{"outbox_delete", "DELETE FROM outbox WHERE seq <= ?"};
constexpr Sql kBacklog{"outbox_backlog", "SELECT COUNT(*) FROM outbox"};

}  // namespace

std::span<const store::Migration> Outbox::Migrations() { return kMigrations; }

Status Outbox::Add(store::Database& db, const CloudEvent& event) {
    auto r = db.Execute(kAdd, {event.id, event.type, event.subject, event.ToJson(), NowUnixMillis()});
    if (!r) return Fail(r.error());
    return Ok();
}

OutboxRelay::OutboxRelay(store::Database& db, EventLog& log, std::string topic)
    : db_(db), log_(log), topic_(std::move(topic)) {}

Result<int> OutboxRelay::RelayOnce(int max) {
    // A plain read first: an empty outbox must not take the write lock on every timer tick.
    auto peek = db_.Query(kPeek);
    if (!peek) return Fail(peek.error());
    if (peek->empty()) return 0;

    // Never waits: a lock held by a replica (or, for the append, by any process of the system on
    // the event log) fails the pass with Unavailable and the rows stay for the next one.
    auto tx = db_.TryBegin();
    if (!tx) return Fail(tx.error());
    auto rows = db_.Query(kOldest, {int64_t{std::max(max, 1)}});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return 0;  // another replica's relay got there first
    std::vector<CloudEvent> events;
    events.reserve(rows->size());
    for (const auto& row : *rows) {
        auto event = CloudEvent::FromJson(row.Text(1));
        if (!event) {
            // Only a bug writes such a row; keeping it would stall every later event.
            log::Error("dropping unreadable outbox row", {{"seq", row.Int(0)}, {"error", event.error().message}});
            continue;
        }
        events.push_back(std::move(*event));
    }
    if (auto st = log_.Append(topic_, events); !st) return Fail(st.error());
    if (auto r = db_.Execute(kDelete, {rows->back().Int(0)}); !r) return Fail(r.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());  // appended anyway: at least once
    relayed_ += static_cast<int64_t>(events.size());
    return static_cast<int>(events.size());
}

int64_t OutboxRelay::Backlog() {
    auto row = db_.QueryOne(kBacklog);
    return row ? row->Int(0) : -1;
}

}  // namespace reservo::messaging
