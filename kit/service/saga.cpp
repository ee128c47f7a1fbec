#include "kit/service/saga.hpp"

#include <boost/json.hpp>

#include "kit/core/clock.hpp"
#include "kit/core/fiber.hpp"
#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/messaging/event_log.hpp"
#include "kit/service/event_search.hpp"

namespace reservo::service {
namespace {

using store::Sql;

constexpr store::Migration kSchema[] = {
    {9041,
     "CREATE TABLE IF NOT EXISTS saga_pending (id INTEGER PRIMARY KEY AUTOINCREMENT, saga TEXT NOT NULL, data TEXT NOT "
     "NULL, "
     "created_ms INTEGER NOT NULL);"
     "CREATE INDEX IF NOT EXISTS saga_pending_by_age ON saga_pending (saga, created_ms);"
     "CREATE TABLE IF NOT EXISTS saga_steps (id INTEGER PRIMARY KEY AUTOINCREMENT, saga TEXT NOT NULL, saga_key TEXT "
     "NOT NULL, "
     "step TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);"
     "CREATE INDEX IF NOT EXISTS saga_steps_by_key ON saga_steps (saga_key, id);"},
};

constexpr Sql kBegin{"saga_begin", "INSERT INTO saga_pending (saga, data, created_ms) VALUES (?, ?, ?) RETURNING id"};
constexpr Sql kPending{"saga_pending", "SELECT data FROM saga_pending WHERE id = ? AND saga = ?"};
constexpr Sql kClose{"saga_close", "DELETE FROM saga_pending WHERE id = ? AND saga = ?"};
constexpr Sql kAbandoned{"saga_abandoned",
                         "SELECT id FROM saga_pending WHERE saga = ? AND created_ms < ? ORDER BY id LIMIT 100"};
constexpr Sql kRecord{"saga_record",
                      "INSERT INTO saga_steps (saga, saga_key, step, detail, at) VALUES (?, ?, ?, ?, ?)"};
constexpr Sql kTimeline{"saga_timeline",
                        "SELECT saga, saga_key, step, detail, at FROM saga_steps WHERE saga_key = ? ORDER BY id"};

// The events published under `key` by any service of the system, oldest first (the newest
// 200,000 records of its partition are read).
http::Awaitable<Result<boost::json::array>> EventsAbout(boost::asio::io_context& io, messaging::EventLog& log,
                                                        const std::string& topic, const std::string& key) {
    auto found = co_await EventsWithSubject(io, log, topic, key, {.max_scan = 200'000});
    if (!found) co_return Fail(found.error());
    boost::json::array out;
    for (const auto& r : found->records) {
        out.push_back({{"type", r.event.type}, {"source", r.event.source}, {"time", r.event.time}, {"id", r.event.id}});
    }
    co_return out;
}

}  // namespace

Saga::Saga(ServiceContext& ctx, UnitOfWork& uow, SagaOptions options)
    : ctx_(ctx), uow_(uow), options_(std::move(options)) {
    schema_ = EnsureSchema(ctx_.db());
    if (!schema_) log::Error("saga tables not created", {{"saga", options_.name}, {"error", schema_.error().message}});
    if (!ctx_.actuator().Handles("GET", "/actuator/sagas/0")) {  // the endpoint, once per service
        ctx_.actuator().AddAsync(
            "GET", "/actuator/sagas/{key}", [&ctx = ctx_](http::Request& req) -> http::Awaitable<http::Response> {
                const std::string key(req.Param("key"));
                auto read = [&] { return Timeline(ctx.db(), key); };
                Result<std::vector<SagaEvent>> steps = Fail(Code::kInternal, "not read");
                if (ctx.db().Suspends()) {
                    steps = co_await fiber::Call(ctx.io(), read);  // the server's answer, without holding the loop
                } else {
                    steps = read();
                }
                if (!steps) co_return http::ProblemFrom(steps.error());
                boost::json::array out;
                for (const auto& s : *steps) {
                    out.push_back(
                        {{"saga", s.saga}, {"key", s.key}, {"step", s.step}, {"detail", s.detail}, {"at", s.at}});
                }
                boost::json::object body{{"key", key}, {"steps", std::move(out)}};
                if (auto* log = ctx.reader_log()) {  // what every service published about it
                    auto events = co_await EventsAbout(ctx.io(), *log, ctx.topic(), key);
                    if (!events) co_return http::ProblemFrom(events.error());
                    body["events"] = std::move(*events);
                }
                co_return http::JsonResponse(200, body);
            });
    }
    auto period = std::min<std::chrono::milliseconds>(options_.abandon_after / 2, std::chrono::milliseconds(5000));
    ctx_.Every(std::max(period, std::chrono::milliseconds(10)), [this] {
        if (auto swept = SweepAbandoned(); !swept) {
            log::Warn("saga sweep failed; will retry", {{"saga", options_.name}, {"error", swept.error().message}});
        }
    });
}

Status Saga::EnsureSchema(store::Database& db) { return db.Migrate(kSchema); }

Status Saga::Record(Tx& tx, const std::string& key, std::string step, std::string detail) const {
    auto r = tx.db().Execute(kRecord, {options_.name, key, std::move(step), std::move(detail), NowIso8601()});
    return r ? Ok() : Fail(r.error());
}

http::Awaitable<Result<int64_t>> Saga::Begin(boost::json::object data) {
    if (!schema_) co_return Fail(schema_.error());
    co_return co_await uow_.Write([&](Tx& tx) { return Open(tx, data); });
}

Result<int64_t> Saga::Open(Tx& tx, const boost::json::object& data) const {
    if (!schema_) return Fail(schema_.error());
    auto row = tx.db().QueryOne(kBegin, {options_.name, json::Serialize(data), NowUnixMillis()});
    if (!row) return Fail(row.error());
    int64_t id = row->Int(0);
    if (auto st = Record(tx, std::to_string(id), "started", json::Serialize(data)); !st) return Fail(st.error());
    return id;
}

Status Saga::Complete(Tx& tx, int64_t id, std::string detail) const {
    auto closed = tx.db().Execute(kClose, {id, options_.name});
    if (!closed) return Fail(closed.error());
    if (*closed == 0) {
        return Fail(Code::kUnavailable,
                    options_.name + " " + std::to_string(id) + " was aborted meanwhile; nothing was done");
    }
    return Record(tx, std::to_string(id), "completed", std::move(detail));
}

Status Saga::Close(Tx& tx, int64_t id, bool compensate, const std::string& step, const std::string& why) const {
    auto rows = tx.db().Query(kPending, {id, options_.name});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Ok();  // closed already (completed, or aborted by another path)
    if (auto r = tx.db().Execute(kClose, {id, options_.name}); !r) return Fail(r.error());
    if (auto st = Record(tx, std::to_string(id), step, why); !st) return st;
    if (!compensate || !options_.compensate) return Ok();
    SagaStep pending{.id = id, .saga = options_.name};
    if (auto data = json::ParseObject(rows->front().Text(0))) pending.data = std::move(*data);
    return options_.compensate(pending, tx);
}

http::Awaitable<Status> Saga::Abort(int64_t id, std::string why) {
    auto done = co_await uow_.Write([&](Tx& tx) { return Close(tx, id, true, "aborted", why); });
    if (!done) {
        log::Warn("saga step not aborted now; the sweeper will",
                  {{"saga", options_.name}, {"id", std::to_string(id)}, {"error", done.error().message}});
    }
    co_return done;
}

http::Awaitable<Status> Saga::Drop(int64_t id, std::string why) {
    co_return co_await uow_.Write([&](Tx& tx) { return Close(tx, id, false, "refused", why); });
}

Result<int> Saga::SweepAbandoned() {
    auto rows = ctx_.db().Query(kAbandoned, {options_.name, NowUnixMillis() - options_.abandon_after.count()});
    if (!rows) return Fail(rows.error());
    int aborted = 0;
    for (const auto& row : *rows) {
        auto tx = ctx_.db().TryBegin();
        if (!tx) return aborted;  // busy: next sweep
        Tx handle = uow_.Handle();
        if (auto st = Close(handle, row.Int(0), true, "aborted", "abandoned: no outcome within the time allowed");
            !st) {
            return Fail(st.error());
        }
        if (auto st = tx->Commit(); !st) return Fail(st.error());
        ++aborted;
    }
    return aborted;
}

Result<std::vector<SagaEvent>> Saga::Timeline(store::Database& db, const std::string& key) {
    auto rows = db.Query(kTimeline, {key});
    if (!rows) return Fail(rows.error());
    std::vector<SagaEvent> out;
    for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
    return out;
}

}  // namespace reservo::service
