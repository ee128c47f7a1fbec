// PostgreSQL adapter of the Database port (libpq): one schema per service, created when missing.
//
//   auto db = store::PostgresDatabase::Open({.url = "postgresql://reservo@db/reservo", .schema =
//   "vaccine_reservation"}); db.value()->Migrate(kMigrations);
//
// Statements are the ones written for SQLite, rewritten once by ToPostgres (postgres_dialect.hpp)
// and prepared on first use. Write transactions keep SQLite's semantics, on which every overbooking
// check relies: one writer at a time per service, across its replicas — Begin() and TryBegin() take
// a transaction-scoped advisory lock keyed by the schema (pg_advisory_xact_lock), so a read-check-
// write inside a transaction sees no concurrent writer, and reads never wait. A failed statement
// inside a transaction leaves it usable, as in SQLite (each write runs under a savepoint).
//
// A connection that broke (the server restarted) is re-established by the next call; a transaction
// that was open on it is lost and its Commit fails with Unavailable, so nothing half-done is kept.
// A connection lost while COMMIT itself was under way fails it with Unknown: it may have been applied.
//
// Calls never block the event loop when made on a fiber (kit/core/fiber.hpp; Suspends() says so):
// the connection is non-blocking, and a call waiting for the server suspends its fiber while the loop
// serves others. Fibers draw connections from a small pool — a transaction keeps its connection
// until it ends, a single statement returns it at once — and Begin() on a fiber waits for the
// service's write turn in the order asked, up to the current deadline (TryBegin never waits). Calls off a fiber
// (start-up, tools) use one more connection, and wait in poll(). A server that does not answer within `answer_wait_ms`
// has the connection closed on it: the statement fails with Unavailable (Unknown for a COMMIT or a write outside a
// transaction), and the server rolls back what was open.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kit/store/database.hpp"

struct pg_conn;
struct pg_result;

namespace reservo::store {

struct PgConnection;
struct PgWaiters;
class PgLease;

struct PostgresOptions {
    std::string url;             // a libpq URI or keyword/value string
    std::string schema;          // the service's own schema, e.g. "vaccine_reservation"
    int lock_wait_ms = 5000;     // Begin(): how long to wait for another replica's write turn
    size_t pool_size = 4;        // connections for fibers
    int answer_wait_ms = 10000;  // a statement's longest wait for the server (migrations: none)
};

class PostgresDatabase final : public Database {
  public:
    static Result<std::unique_ptr<PostgresDatabase>> Open(PostgresOptions options);
    ~PostgresDatabase() override;

    using Database::Execute;
    using Database::Query;
    Result<std::vector<Row>> Query(const Sql& sql, std::span<const Value> params) override;
    Result<int64_t> Execute(const Sql& sql, std::span<const Value> params) override;
    Result<Transaction> Begin() override;
    Result<Transaction> TryBegin() override;
    Status Migrate(std::span<const Migration> migrations) override;
    Result<std::vector<std::string>> Columns(std::string_view table) override;
    Result<std::vector<std::string>> Indexes(std::string_view table) override;
    std::string Location() const override;
    bool Suspends() const override { return true; }

    // Connections open now (the pool's and the one for calls off a fiber).
    size_t connections() const;

    // A URI or keyword/value string with any password replaced by "***", for logs.
    static std::string Redacted(std::string_view url);

  protected:
    Status CommitTx() override;
    void RollbackTx() override;

  private:
    friend class PgLease;

    explicit PostgresDatabase(PostgresOptions options);
    Status Connect(PgConnection& c);
    // The connection, re-established if it broke (outside a transaction only).
    Status Usable(PgConnection& c);
    // A statement without parameters; `limited`: waits at most answer_wait_ms for the server.
    Status Simple(PgConnection& c, const std::string& sql, bool limited = true);
    Result<pg_result*> Run(PgConnection& c, const Sql& sql, std::span<const Value> params);
    // The connection a call runs on: its transaction's, else the loop's (off a fiber) or a pooled one.
    Result<PgLease> ConnectionForCall();
    Result<PgConnection*> Acquire();
    void Release(PgConnection* c);
    PgConnection* Bound() const;
    Result<Transaction> BeginLocked(bool wait);
    // wait: on a fiber, wait in line (up to the deadline or lock_wait_ms); else only a free turn.
    Status TakeWriteTurn(bool wait);
    void GiveWriteTurn();
    void EndTx(PgConnection* c);
    Error ErrorOf(PgConnection& c, std::string_view what, pg_result* res) const;

    PostgresOptions options_;
    int64_t lock_key_ = 0;
    bool lost_ = false;                                // the last attempt to reconnect failed (logged once per outage)
    std::unique_ptr<PgConnection> loop_conn_;          // calls off a fiber
    std::vector<std::unique_ptr<PgConnection>> pool_;  // fibers' connections
    std::map<const void*, PgConnection*> bound_;       // fiber → the connection of its open transaction
    bool write_turn_ = false;                          // a transaction of this process is open
    std::unique_ptr<PgWaiters> conn_waiters_;          // fibers waiting for a pooled connection
    std::unique_ptr<PgWaiters> turn_waiters_;          // fibers waiting for the write turn
};

}  // namespace reservo::store
