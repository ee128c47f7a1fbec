#include "kit/store/postgres.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <regex>

#include "kit/core/clock.hpp"
#include "kit/core/deadline.hpp"
#include "kit/core/fiber.hpp"
#include "kit/core/log.hpp"
#include "kit/core/try.hpp"
#include "kit/store/postgres_dialect.hpp"

namespace reservo::store {
namespace {

// Type OIDs (pg_type.dat) of the results converted to numbers; everything else is text.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// SQLSTATE classes (PostgreSQL appendix A) → the kit's codes, as SQLite's result codes map.
Code CodeOf(std::string_view state) {
    if (state == "23505") return Code::kAlreadyExists;              // unique_violation
    if (state.starts_with("23")) return Code::kFailedPrecondition;  // check, not null, foreign key
    if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") return Code::kUnavailable;
    if (state.starts_with("08") || state.starts_with("57") || state.starts_with("53")) return Code::kUnavailable;
    return Code::kInternal;
}

Value ColumnValue(const PGresult* res, int row, int col) {
    if (PQgetisnull(res, row, col)) return nullptr;
    const char* text = PQgetvalue(res, row, col);
    const size_t size = static_cast<size_t>(PQgetlength(res, row, col));
    switch (PQftype(res, col)) {
        case kBool:
            return int64_t{text[0] == 't'};
        case kInt2:
        case kInt4:
        case kInt8: {
            int64_t v = 0;
            std::from_chars(text, text + size, v);
            return v;
        }
        case kNumeric:  // SUM over integers: a whole number stays one, as in SQLite
            if (!std::memchr(text, '.', size)) {
                int64_t v = 0;
                if (std::from_chars(text, text + size, v).ec == std::errc()) return v;
            }
            [[fallthrough]];
        case kFloat4:
        case kFloat8:
            return std::strtod(text, nullptr);
        default:
            return std::string(text, size);
    }
}

// Parameters go as text of unknown type, so the server types each from its context as it does a
// literal ('7' compares with a BIGINT column and with the text of a JSON field alike).
struct TextParams {
    explicit TextParams(std::span<const Value> params) {
        texts.reserve(params.size());
        for (const auto& p : params) {
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::nullptr_t>) {
                        texts.emplace_back();
                        nulls.push_back(true);
                    } else if constexpr (std::is_same_v<T, std::string>) {
                        texts.push_back(v);
                        nulls.push_back(false);
                    } else {
                        char buf[32];
                        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                        texts.emplace_back(buf, end);
                        nulls.push_back(false);
                    }
                },
                p);
        }
        for (size_t i = 0; i < texts.size(); ++i) values.push_back(nulls[i] ? nullptr : texts[i].c_str());
    }
    std::vector<std::string> texts;
    std::vector<bool> nulls;
    std::vector<const char*> values;
};

int64_t LockKey(std::string_view schema) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a over "reservo:" + schema
    for (char c : std::string("reservo:") + std::string(schema)) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return static_cast<int64_t>(h);
}

bool IsWrite(std::string_view text) {
    size_t i = text.find_first_not_of(" \t\n");
    if (i == std::string_view::npos) return false;
    auto head = text.substr(i, 6);
    for (std::string_view w : {"INSERT", "UPDATE", "DELETE"}) {
        if (head.size() == 6 && ::strncasecmp(head.data(), w.data(), 6) == 0) return true;
    }
    return false;
}

}  // namespace

namespace asio = boost::asio;
using Until = std::optional<SteadyClock::time_point>;

// One connection to the server and what lives with it.
struct PgConnection {
    PGconn* pg = nullptr;
    std::map<std::string, std::string, std::less<>> prepared;  // statement text → prepared name
    bool busy = false;                                         // leased to a call or a transaction (pooled connections)
    bool in_tx = false;                                        // a transaction is open on it
    bool tx_lost = false;                                      // it broke, or was closed, inside that transaction

    ~PgConnection() { Close(); }
    bool Ok() const { return pg && PQstatus(pg) == CONNECTION_OK; }
    void Close() {
        if (pg) PQfinish(pg);
        pg = nullptr;
        prepared.clear();
    }
};

// Fibers waiting, first come first served, for what another fiber gives back (a connection, the
// write turn), each for at most its own time.
struct PgWaiters {
    struct Slot {
        fiber::Resume resume;
        void* given = nullptr;
        bool waiting = true;
    };
    asio::io_context* io = nullptr;
    std::deque<std::shared_ptr<Slot>> queue;

    bool Empty() const {
        for (const auto& slot : queue) {
            if (slot->waiting) return false;
        }
        return true;
    }

    // Suspends the calling fiber until Hand() passes it something (returned), or `until` passes.
    std::optional<void*> Wait(Until until) {
        io = &fiber::Loop();
        auto slot = std::make_shared<Slot>();
        std::shared_ptr<asio::steady_timer> timer;
        if (until) timer = std::make_shared<asio::steady_timer>(*io, *until);
        fiber::Suspend([&](fiber::Resume resume) {
            slot->resume = std::move(resume);
            queue.push_back(slot);
            if (!timer) return;
            timer->async_wait([slot](const boost::system::error_code& ec) {
                if (ec || !slot->waiting) return;
                slot->waiting = false;
                std::exchange(slot->resume, nullptr)();
            });
        });
        if (timer) timer->cancel();
        if (!slot->given) return std::nullopt;
        return slot->given;
    }

    // Passes `what` to the first fiber still waiting, continued from the loop; false when none is.
    bool Hand(void* what) {
        while (!queue.empty()) {
            auto slot = std::move(queue.front());
            queue.pop_front();
            if (!slot->waiting) continue;
            slot->waiting = false;
            slot->given = what;
            asio::post(*io, std::exchange(slot->resume, nullptr));
            return true;
        }
        return false;
    }
};

// A connection for one call, given back to the pool when the call is done.
class PgLease final {
  public:
    PgLease(PostgresDatabase* db, PgConnection* c, bool pooled) : db_(pooled ? db : nullptr), c_(c) {}
    PgLease(PgLease&& o) noexcept : db_(std::exchange(o.db_, nullptr)), c_(o.c_) {}
    PgLease& operator=(PgLease&&) = delete;
    ~PgLease() {
        if (db_) db_->Release(c_);
    }
    PgConnection& operator*() const { return *c_; }

  private:
    PostgresDatabase* db_;
    PgConnection* c_;
};

namespace {

enum class Want { kRead, kWrite };

constexpr int kConnectWaitMs = 5000;  // all of a connection attempt (connect_timeout is per address)

// Waits for the connection's socket to be ready: on a fiber by suspending it (the loop watches the
// socket), off one in poll(). False when `until` passed first.
bool WaitSocket(PgConnection& c, Want want, Until until) {
    const int fd = PQsocket(c.pg);
    if (fd < 0) return true;  // nothing to wait on: libpq reports why
    if (!fiber::Inside()) {
        pollfd p{fd, static_cast<short>(want == Want::kRead ? POLLIN : POLLOUT), 0};
        for (;;) {
            int timeout = -1;
            if (until)
                timeout = static_cast<int>(
                    std::max<int64_t>(0, std::chrono::ceil<Millis>(*until - SteadyClock::now()).count()));
            const int r = ::poll(&p, 1, timeout);
            if (r > 0) return true;
            if (r == 0) return false;
            if (errno != EINTR) return true;
        }
    }
    // Watched for this wait only: a connection outlives no loop, and its socket may change.
    asio::posix::stream_descriptor watch(fiber::Loop());
    boost::system::error_code failed;
    watch.assign(fd, failed);
    if (failed) return false;  // not watchable: as if unanswered (the connection is closed)
    auto timed_out = std::make_shared<bool>(false);
    std::shared_ptr<asio::steady_timer> timer;
    if (until) timer = std::make_shared<asio::steady_timer>(fiber::Loop(), *until);
    fiber::Suspend([&](fiber::Resume resume) {
        auto once = std::make_shared<fiber::Resume>(std::move(resume));
        watch.async_wait(
            want == Want::kRead ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write,
            [once](const boost::system::error_code&) {
                if (*once) std::exchange(*once, nullptr)();
            });
        if (!timer) return;
        timer->async_wait([once, timed_out](const boost::system::error_code& ec) {
            if (ec || !*once) return;
            *timed_out = true;
            std::exchange(*once, nullptr)();
        });
    });
    if (timer) timer->cancel();
    watch.release();  // the socket stays libpq's; a pending wait is cancelled
    return !*timed_out;
}

std::string Trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Sends a statement (`send`: a PQsend* call) and collects its answer: the first failed result, else
// the last one. Unavailable when the connection failed, or the server did not answer by `until` —
// the connection is closed then, so the server abandons the statement (and an open transaction).
Result<ResultPtr> Exchange(PgConnection& c, const std::function<int(PGconn*)>& send, Until until,
                           std::string_view what) {
    auto broken = [&](std::string why) -> Result<ResultPtr> {
        if (c.in_tx) c.tx_lost = true;
        return Fail(Code::kUnavailable, std::string(what) + ": " + Trimmed(std::move(why)));
    };
    auto silent = [&]() -> Result<ResultPtr> {
        c.Close();
        if (c.in_tx) c.tx_lost = true;
        return Fail(Code::kUnavailable,
                    std::string(what) + ": the server did not answer in time; the connection was closed");
    };
    if (!send(c.pg)) return broken(PQerrorMessage(c.pg));
    for (int flushed; (flushed = PQflush(c.pg)) != 0;) {
        if (flushed < 0) return broken(PQerrorMessage(c.pg));
        if (!WaitSocket(c, Want::kWrite, until)) return silent();
        if (!PQconsumeInput(c.pg)) return broken(PQerrorMessage(c.pg));
    }
    ResultPtr kept;
    for (;;) {
        while (PQisBusy(c.pg)) {
            if (!WaitSocket(c, Want::kRead, until)) return silent();
            if (!PQconsumeInput(c.pg)) return broken(PQerrorMessage(c.pg));
        }
        PGresult* res = PQgetResult(c.pg);
        if (!res) break;
        auto status = PQresultStatus(res);
        const bool failed = status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK;
        const bool kept_failed =
            kept && PQresultStatus(kept.get()) != PGRES_COMMAND_OK && PQresultStatus(kept.get()) != PGRES_TUPLES_OK;
        if (kept_failed && !failed) {
            PQclear(res);
        } else if (!kept_failed) {
            kept.reset(res);
        } else {
            PQclear(res);
        }
    }
    if (!kept) return broken(PQerrorMessage(c.pg));
    return kept;
}

}  // namespace

std::string PostgresDatabase::Redacted(std::string_view url) {
    static const std::regex kUriPassword(R"(://([^:/@]*):[^@]*@)");                 // scheme://user:secret@host
    static const std::regex kQueryPassword(R"(([?&]password=)[^&]*)");              // ...?password=secret
    static const std::regex kKeyPassword(R"((^|\s)password\s*=\s*('[^']*'|\S+))");  // password=secret
    std::string out = std::regex_replace(std::string(url), kUriPassword, "://$1:***@");
    out = std::regex_replace(out, kQueryPassword, "$1***");
    return std::regex_replace(out, kKeyPassword, "$1password=***");
}

PostgresDatabase::PostgresDatabase(PostgresOptions options)
    : options_(std::move(options)),
      loop_conn_(std::make_unique<PgConnection>()),
      conn_waiters_(std::make_unique<PgWaiters>()),
      turn_waiters_(std::make_unique<PgWaiters>()) {}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(PostgresOptions options) {
    if (options.schema.empty()) return Fail(Code::kInvalidArgument, "a PostgreSQL store needs a schema name");
    if (options.pool_size == 0) options.pool_size = 1;
    std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(std::move(options)));
    db->lock_key_ = LockKey(db->options_.schema);
    RESERVO_TRY(db->Connect(*db->loop_conn_));
    return db;
}

PostgresDatabase::~PostgresDatabase() = default;

std::string PostgresDatabase::Location() const {
    return "postgres " + Redacted(options_.url) + " schema " + options_.schema;
}

size_t PostgresDatabase::connections() const {
    size_t n = loop_conn_->pg ? 1 : 0;
    for (const auto& c : pool_) n += c->pg ? 1 : 0;
    return n;
}

Status PostgresDatabase::Connect(PgConnection& c) {
    c.Close();
    auto failed = [&](std::string why) -> Status {
        c.Close();
        return Fail(Code::kUnavailable, "cannot connect to " + Redacted(options_.url) + ": " + Trimmed(std::move(why)));
    };
    // Limits a URL may override: an unreachable server must not hold a caller for minutes of TCP
    // retries (connect), nor a dead peer for hours (keepalives, unacknowledged writes).
    const char* keywords[] = {"connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
                              "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
    const char* values[] = {"2", "1", "5", "2", "3", "5000", options_.url.c_str(), nullptr};
    c.pg = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
    if (!c.pg) return failed("out of memory");
    if (PQstatus(c.pg) == CONNECTION_BAD) return failed(PQerrorMessage(c.pg));
    const Until until = SteadyClock::now() + Millis(std::min(kConnectWaitMs, options_.answer_wait_ms));
    for (auto step = PGRES_POLLING_WRITING; step != PGRES_POLLING_OK; step = PQconnectPoll(c.pg)) {
        if (step == PGRES_POLLING_FAILED) return failed(PQerrorMessage(c.pg));
        if (!WaitSocket(c, step == PGRES_POLLING_READING ? Want::kRead : Want::kWrite, until))
            return failed("timed out");
    }
    if (PQsetnonblocking(c.pg, 1) != 0) return failed(PQerrorMessage(c.pg));
    PQsetNoticeProcessor(
        c.pg, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
    char* ident = PQescapeIdentifier(c.pg, options_.schema.data(), options_.schema.size());
    const std::string schema = ident ? ident : options_.schema;
    PQfreemem(ident);
    // Two replicas starting together may both try to create it: the loser sees it exist.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (Simple(c, "CREATE SCHEMA IF NOT EXISTS " + schema)) break;
    }
    // A connection without its search path would read another schema: none rather than that.
    if (auto st = Simple(c, "SET search_path TO " + schema + "; SET application_name TO 'reservo'"); !st)
        return failed(st.error().message);
    return Ok();
}

Status PostgresDatabase::Usable(PgConnection& c) {
    if (c.Ok()) return Ok();
    if (c.in_tx) {
        c.tx_lost = true;
        return Fail(Code::kUnavailable, "the connection to " + Location() + " broke inside a transaction");
    }
    auto connected = Connect(c);
    if (!connected && !lost_)
        log::Warn("PostgreSQL unreachable; reconnecting at each call",
                  {{"store", Location()}, {"error", connected.error().message}});
    if (connected && lost_) log::Info("PostgreSQL reachable again", {{"store", Location()}});
    lost_ = !connected;
    return connected;
}

Error PostgresDatabase::ErrorOf(PgConnection& c, std::string_view what, PGresult* res) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = res ? PQresultErrorMessage(res) : "";
    if (message.empty() && c.pg) message = PQerrorMessage(c.pg);
    Code code = state ? CodeOf(state) : Code::kUnavailable;  // no state: the connection failed
    if (!c.Ok()) code = Code::kUnavailable;
    return Error{code, std::string(what) + ": " + Trimmed(std::move(message))};
}

Status PostgresDatabase::Simple(PgConnection& c, const std::string& sql, bool limited) {
    const Until until = limited ? Until(SteadyClock::now() + Millis(options_.answer_wait_ms)) : std::nullopt;
    auto res = Exchange(
        c, [&](PGconn* pg) { return PQsendQuery(pg, sql.c_str()); }, until, sql);
    if (!res) return Fail(res.error());
    auto status = PQresultStatus(res->get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(ErrorOf(c, sql, res->get()));
    return Ok();
}

Result<PGresult*> PostgresDatabase::Run(PgConnection& c, const Sql& sql, std::span<const Value> params) {
    RESERVO_TRY(Usable(c));
    // Inside a transaction a failed statement would abort it; SQLite's does not, and callers may
    // go on (an insert refused as a duplicate, then another path): a savepoint keeps that true.
    const bool write = IsWrite(sql.text);
    const bool guard = c.in_tx && write;
    if (guard) RESERVO_TRY(Simple(c, "SAVEPOINT reservo_stmt"));
    auto failed = [&](Error error) -> Result<PGresult*> {
        if (!c.Ok()) {
            if (c.in_tx) c.tx_lost = true;
        } else if (guard) {
            (void)Simple(c, "ROLLBACK TO SAVEPOINT reservo_stmt");
        }
        return Fail(std::move(error));
    };
    const Until until = SteadyClock::now() + Millis(options_.answer_wait_ms);
    auto it = c.prepared.find(sql.text);
    if (it == c.prepared.end()) {
        const std::string name = "s" + std::to_string(c.prepared.size() + 1);
        const std::string text = ToPostgres(sql.text);
        auto res = Exchange(
            c, [&](PGconn* pg) { return PQsendPrepare(pg, name.c_str(), text.c_str(), 0, nullptr); }, until, sql.name);
        if (!res) return failed(res.error());
        if (PQresultStatus(res->get()) != PGRES_COMMAND_OK) return failed(ErrorOf(c, sql.name, res->get()));
        it = c.prepared.emplace(std::string(sql.text), name).first;
    }
    TextParams text(params);
    auto res = Exchange(
        c,
        [&](PGconn* pg) {
            return PQsendQueryPrepared(pg, it->second.c_str(), static_cast<int>(text.values.size()), text.values.data(),
                                       nullptr, nullptr, 0);
        },
        until, sql.name);
    if (!res) {
        Error error = res.error();
        // A write of its own (no transaction) whose answer never came may have been applied.
        if (write && !c.in_tx && !c.Ok()) error.code = Code::kUnknown;
        return failed(std::move(error));
    }
    auto status = PQresultStatus(res->get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failed(ErrorOf(c, sql.name, res->get()));
    if (guard) RESERVO_TRY(Simple(c, "RELEASE SAVEPOINT reservo_stmt"));
    return res->release();
}

PgConnection* PostgresDatabase::Bound() const {
    if (!fiber::Inside()) return loop_conn_->in_tx ? loop_conn_.get() : nullptr;
    auto it = bound_.find(fiber::Id());
    return it == bound_.end() ? nullptr : it->second;
}

Result<PgLease> PostgresDatabase::ConnectionForCall() {
    if (PgConnection* c = Bound()) return PgLease(this, c, false);
    if (!fiber::Inside()) return PgLease(this, loop_conn_.get(), false);
    PgConnection* c = RESERVO_TRY(Acquire());
    return PgLease(this, c, true);
}

Result<PgConnection*> PostgresDatabase::Acquire() {
    if (conn_waiters_->Empty()) {
        for (auto& c : pool_) {
            if (c->busy) continue;
            c->busy = true;
            return c.get();
        }
        if (pool_.size() < options_.pool_size) {  // connected by its first call
            pool_.push_back(std::make_unique<PgConnection>());
            pool_.back()->busy = true;
            return pool_.back().get();
        }
    }
    auto given = conn_waiters_->Wait(SteadyClock::now() + Millis(options_.answer_wait_ms));
    if (!given) {
        return Fail(Code::kUnavailable, "all " + std::to_string(options_.pool_size) + " connections to " + Location() +
                                            " stayed busy; nothing was done");
    }
    return static_cast<PgConnection*>(*given);
}

void PostgresDatabase::Release(PgConnection* c) {
    if (conn_waiters_->Hand(c)) return;  // still busy: the next fiber in line has it now
    c->busy = false;
}

Status PostgresDatabase::TakeWriteTurn(bool wait) {
    if (!write_turn_ && turn_waiters_->Empty()) {
        write_turn_ = true;
        return Ok();
    }
    // Off a fiber, the transaction holding the turn cannot end while this call waits on the loop.
    if (!wait || !fiber::Inside())
        return Fail(Code::kUnavailable, "write lock busy (this process is writing): " + Location());
    Until until = SteadyClock::now() + Millis(options_.lock_wait_ms);
    if (auto deadline = deadline::Current(); deadline && *deadline < *until) until = *deadline;
    if (!turn_waiters_->Wait(until)) return Fail(Code::kUnavailable, "write lock busy: " + Location());
    return Ok();  // handed over: still taken, now by this fiber
}

void PostgresDatabase::GiveWriteTurn() {
    if (turn_waiters_->Hand(this)) return;
    write_turn_ = false;
}

void PostgresDatabase::EndTx(PgConnection* c) {
    c->in_tx = false;
    c->tx_lost = false;
    if (c != loop_conn_.get()) {
        std::erase_if(bound_, [c](const auto& entry) { return entry.second == c; });
        Release(c);
    }
    GiveWriteTurn();
}

Result<Transaction> PostgresDatabase::BeginLocked(bool wait) {
    if (Bound()) return Fail(Code::kInternal, "nested transaction on " + Location());
    // This process's writers take turns here (fibers in line, without holding a connection), then
    // across processes with the advisory lock below.
    if (auto deadline = deadline::Current(); wait && deadline && *deadline <= SteadyClock::now())
        return Fail(Code::kUnavailable, "the deadline passed before the write lock of " + Location() + " was free");
    RESERVO_TRY(TakeWriteTurn(wait));
    PgConnection* c = loop_conn_.get();
    if (fiber::Inside()) {
        auto acquired = Acquire();
        if (!acquired) {
            GiveWriteTurn();
            return Fail(acquired.error());
        }
        c = *acquired;
        bound_[fiber::Id()] = c;
    }
    auto begun = [&]() -> Status {
        RESERVO_TRY(Usable(*c));
        // Read committed whatever the server's default: the advisory lock below must come before the
        // snapshot a check reads from (repeatable read would take it at the lock's SELECT, before the wait).
        RESERVO_TRY(Simple(*c, "BEGIN ISOLATION LEVEL READ COMMITTED"));
        return Ok();
    }();
    if (!begun) {
        EndTx(c);
        return Fail(begun.error());
    }
    c->in_tx = true;
    c->tx_lost = false;
    Transaction tx(this);  // rolls back (and gives everything back) on any early return
    const std::string key = std::to_string(lock_key_);
    if (wait) {
        int64_t lock_ms = options_.lock_wait_ms;  // another replica's turn: no longer than the caller waits
        if (auto deadline = deadline::Current()) {
            lock_ms =
                std::clamp<int64_t>(std::chrono::ceil<Millis>(*deadline - SteadyClock::now()).count(), 1, lock_ms);
        }
        RESERVO_TRY(Simple(*c, "SET LOCAL lock_timeout = " + std::to_string(lock_ms) +
                                   "; SELECT pg_advisory_xact_lock(" + key + "); SET LOCAL lock_timeout = 0"));
        return tx;
    }
    const std::string sql = "SELECT pg_try_advisory_xact_lock(" + key + ")";
    auto res = Exchange(
        *c, [&](PGconn* pg) { return PQsendQuery(pg, sql.c_str()); },
        SteadyClock::now() + Millis(options_.answer_wait_ms), "try_write_lock");
    if (!res) return Fail(res.error());
    if (PQresultStatus(res->get()) != PGRES_TUPLES_OK) return Fail(ErrorOf(*c, "try_write_lock", res->get()));
    if (PQgetvalue(res->get(), 0, 0)[0] != 't') return Fail(Code::kUnavailable, "write lock busy: " + Location());
    return tx;
}

Result<Transaction> PostgresDatabase::Begin() { return BeginLocked(true); }
Result<Transaction> PostgresDatabase::TryBegin() { return BeginLocked(false); }

Status PostgresDatabase::CommitTx() {
    PgConnection* c = Bound();
    if (!c) return Fail(Code::kInternal, "no transaction open on " + Location());
    if (c->tx_lost || !c->Ok()) {
        EndTx(c);
        return Fail(Code::kUnavailable, "the transaction on " + Location() + " was lost with its connection");
    }
    auto res = Exchange(
        *c, [](PGconn* pg) { return PQsendQuery(pg, "COMMIT"); }, SteadyClock::now() + Millis(options_.answer_wait_ms),
        "commit");
    Status out = Ok();
    if (!res) {
        // The connection went (or the server fell silent) while COMMIT was on its way: it may or may not have been
        // applied.
        Error error = res.error();
        error.code = Code::kUnknown;
        out = Fail(std::move(error));
    } else if (PQresultStatus(res->get()) != PGRES_COMMAND_OK) {
        Error error = ErrorOf(*c, "commit", res->get());
        if (!c->Ok()) error.code = Code::kUnknown;
        out = Fail(std::move(error));
    } else if (std::strcmp(PQcmdStatus(res->get()), "ROLLBACK") == 0) {
        // COMMIT of a transaction that had failed answers ROLLBACK: nothing was kept.
        out = Fail(Code::kAborted, "the transaction on " + Location() + " was rolled back");
    }
    EndTx(c);
    return out;
}

void PostgresDatabase::RollbackTx() {
    PgConnection* c = Bound();
    if (!c) return;
    if (c->Ok() && !c->tx_lost) (void)Simple(*c, "ROLLBACK");
    EndTx(c);
}

Status PostgresDatabase::Migrate(std::span<const Migration> migrations) {
    return ApplyMigrations(migrations, [&](std::string_view sql) -> Status {
        auto lease = RESERVO_TRY(ConnectionForCall());
        return Simple(*lease, ToPostgres(sql), /*limited=*/false);
    });
}

Result<std::vector<Row>> PostgresDatabase::Query(const Sql& sql, std::span<const Value> params) {
    auto lease = RESERVO_TRY(ConnectionForCall());
    ResultPtr res(RESERVO_TRY(Run(*lease, sql, params)));
    const int rows = PQntuples(res.get());
    const int cols = PQnfields(res.get());
    std::vector<Row> out;
    out.reserve(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        std::vector<Value> values;
        values.reserve(static_cast<size_t>(cols));
        for (int c = 0; c < cols; ++c) values.push_back(ColumnValue(res.get(), r, c));
        out.emplace_back(std::move(values));
    }
    return out;
}

Result<int64_t> PostgresDatabase::Execute(const Sql& sql, std::span<const Value> params) {
    auto lease = RESERVO_TRY(ConnectionForCall());
    ResultPtr res(RESERVO_TRY(Run(*lease, sql, params)));
    const char* n = PQcmdTuples(res.get());
    int64_t changed = 0;
    if (n && *n) std::from_chars(n, n + std::strlen(n), changed);
    return changed;
}

Result<std::vector<std::string>> PostgresDatabase::Columns(std::string_view table) {
    static constexpr Sql kColumns{"table_columns",
                                  "SELECT column_name FROM information_schema.columns "
                                  "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"};
    std::vector<std::string> out;
    for (const auto& row : RESERVO_TRY(Query(kColumns, {std::string(table)}))) out.push_back(row.Text(0));
    return out;
}

Result<std::vector<std::string>> PostgresDatabase::Indexes(std::string_view table) {
    static constexpr Sql kIndexes{"table_indexes",
                                  "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                                  "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                                  "WHERE n.nspname = current_schema() AND t.relname = ? "
                                  "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"};
    std::vector<std::string> out;
    for (const auto& row : RESERVO_TRY(Query(kIndexes, {std::string(table)}))) out.push_back(row.Text(0));
    return out;
}

}  // namespace reservo::store
