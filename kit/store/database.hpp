// The Database port: what a service's repositories need from a relational store.
//
// SQLite (sqlite.hpp) is the embedded default; PostgreSQL (postgres.hpp) implements the same port.
// SQL is written once in the common dialect (`?` placeholders, `INSERT ... RETURNING`; see
// postgres_dialect.hpp for what PostgreSQL gets), and every statement carries a name for logs and
// metrics:
//
//   constexpr Sql kFindLot{"find_lot", "SELECT id, qty FROM lots WHERE id = ?"};
//   auto tx = db.Begin();
//   auto rows = db.Query(kFindLot, {id});
//   ...
//   tx->Commit();
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kit/core/error.hpp"

namespace reservo::store {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

// A named SQL statement.
struct Sql {
    std::string_view name;
    std::string_view text;
};

// A schema step, applied once in version order.
struct Migration {
    int version;
    std::string_view sql;
};

class Row final {
  public:
    explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
    size_t size() const { return cols_.size(); }
    bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(cols_.at(i)); }
    int64_t Int(size_t i) const;
    double Real(size_t i) const;
    std::string Text(size_t i) const;
    std::optional<std::string> OptText(size_t i) const;
    const Value& operator[](size_t i) const { return cols_.at(i); }

  private:
    std::vector<Value> cols_;
};

class Database;

// RAII transaction: rolls back unless committed.
class Transaction final {
  public:
    explicit Transaction(Database* db) : db_(db) {}
    Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    Status Commit();
    void Rollback();

  private:
    Database* db_;
};

class Database {
  public:
    virtual ~Database() = default;

    virtual Result<std::vector<Row>> Query(const Sql& sql, std::span<const Value> params) = 0;
    // Runs a statement; returns the number of rows it changed.
    virtual Result<int64_t> Execute(const Sql& sql, std::span<const Value> params) = 0;
    // Begins a write transaction (takes the write lock up front, waiting for it up to the busy timeout).
    virtual Result<Transaction> Begin() = 0;
    // Begins a write transaction only if the write lock is free now; otherwise Unavailable at once.
    // What an event loop calls: it retries on a timer instead of waiting (kit/service/unit_of_work).
    virtual Result<Transaction> TryBegin() = 0;
    virtual Status Migrate(std::span<const Migration> migrations) = 0;
    // The column names of one of the service's tables (none if it does not exist).
    virtual Result<std::vector<std::string>> Columns(std::string_view table) = 0;
    // The names of a table's explicitly created indexes (not those behind its constraints).
    virtual Result<std::vector<std::string>> Indexes(std::string_view table) = 0;
    // Where the data lives, for logs and messages: a file path, or a server and schema.
    virtual std::string Location() const = 0;
    // The files holding the data on this machine (none for a server).
    virtual std::vector<std::string> Files() const { return {}; }
    // Whether calls wait on the network: run them on a fiber (kit/core/fiber.hpp) and they suspend
    // it instead of blocking the event loop. A local file's calls never suspend.
    virtual bool Suspends() const { return false; }

    Result<std::vector<Row>> Query(const Sql& sql, std::initializer_list<Value> params = {}) {
        return Query(sql, std::span<const Value>(params.begin(), params.size()));
    }
    Result<int64_t> Execute(const Sql& sql, std::initializer_list<Value> params = {}) {
        return Execute(sql, std::span<const Value>(params.begin(), params.size()));
    }
    // The first row, or NotFound.
    Result<Row> QueryOne(const Sql& sql, std::initializer_list<Value> params = {});

  protected:
    // Migrate's common part: in one write transaction, each migration not recorded yet in
    // schema_migrations is run by `run` (its SQL as written) and recorded.
    Status ApplyMigrations(std::span<const Migration> migrations, const std::function<Status(std::string_view)>& run);

    friend class Transaction;
    virtual Status CommitTx() = 0;
    virtual void RollbackTx() = 0;
};

}  // namespace reservo::store
