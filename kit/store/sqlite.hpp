// SQLite adapter of the Database port: one file per service, WAL, prepared-statement cache.
//
//   auto db = store::SqliteDatabase::Open("/var/lib/reservo/reservation.db").value();
//   db->Migrate(kMigrations);
//
// Several processes may open the same file (replicas of a service, the shared event log):
// writers serialize on SQLite's lock. Begin() waits for it up to the busy timeout (start-up,
// tools); TryBegin() never waits (an event loop's work), BeginWithin() waits at most as told.
// Reads never wait in WAL mode, but a write outside a transaction does: on an event loop, write
// only inside TryBegin().
#pragma once

#include <map>
#include <memory>
#include <string>

#include "kit/store/database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace reservo::store {

class SqliteDatabase final : public Database {
  public:
    // `synchronous_full`: every commit is synced to disk (survives a power loss) instead of at WAL
    // checkpoints (survives a crash of the process, not of the machine).
    static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, int busy_timeout_ms = 5000,
                                                        bool synchronous_full = false);
    ~SqliteDatabase() override;

    using Database::Execute;
    using Database::Query;
    Result<std::vector<Row>> Query(const Sql& sql, std::span<const Value> params) override;
    Result<int64_t> Execute(const Sql& sql, std::span<const Value> params) override;
    Result<Transaction> Begin() override;
    Result<Transaction> TryBegin() override;
    // Begins a write transaction, waiting for the lock at most `wait_ms` (0: TryBegin).
    Result<Transaction> BeginWithin(int wait_ms);
    Status Migrate(std::span<const Migration> migrations) override;
    Result<std::vector<std::string>> Columns(std::string_view table) override;
    Result<std::vector<std::string>> Indexes(std::string_view table) override;
    std::string Location() const override { return path_; }
    std::vector<std::string> Files() const override { return {path_, path_ + "-wal", path_ + "-shm"}; }

    // Changes whenever another connection commits to the file (cheap; used to wake pollers).
    int64_t DataVersion();
    bool InTransaction() const { return in_tx_; }
    const std::string& path() const { return path_; }

  protected:
    Status CommitTx() override;
    void RollbackTx() override;

  private:
    explicit SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    Result<sqlite3_stmt*> Prepare(const Sql& sql);
    Status ExecRaw(const char* sql);
    Error LastError(const Sql& sql, int rc) const;

    sqlite3* db_;
    std::string path_;
    int busy_timeout_ms_ = 0;
    bool in_tx_ = false;
    std::map<std::string, sqlite3_stmt*, std::less<>> cache_;  // keyed by statement text
};

}  // namespace reservo::store
