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
// Calls block the calling thread for the round trip (a local server answers in tens of µs).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "kit/store/database.hpp"

struct pg_conn;
struct pg_result;

namespace reservo::store {

struct PostgresOptions {
    std::string url;     // a libpq URI or keyword/value string
    std::string schema;  // the service's own schema, e.g. "vaccine_reservation"
    int lock_wait_ms = 5000;
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

    // A URI or keyword/value string with any password replaced by "***", for logs.
    static std::string Redacted(std::string_view url);

  protected:
    Status CommitTx() override;
    void RollbackTx() override;

  private:
    explicit PostgresDatabase(PostgresOptions options) : options_(std::move(options)) {}
    Status Connect();
    // The connection, re-established if it broke (outside a transaction only).
    Status Usable();
    Status Simple(const char* sql);
    Result<pg_result*> Run(const Sql& sql, std::span<const Value> params);
    Result<Transaction> BeginLocked(bool wait);
    Error ErrorOf(std::string_view what, pg_result* res) const;

    PostgresOptions options_;
    pg_conn* conn_ = nullptr;
    int64_t lock_key_ = 0;
    bool in_tx_ = false;
    bool tx_lost_ = false;  // the connection broke inside the open transaction
    bool lost_ = false;     // the last attempt to reconnect failed (logged once per outage)
    std::map<std::string, std::string, std::less<>> prepared_;  // statement text → prepared name
};

}  // namespace reservo::store
