#include "kit/store/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "kit/core/try.hpp"

namespace reservo::store {
namespace {

Status Bind(sqlite3_stmt* stmt, std::span<const Value> params) {
    for (size_t i = 0; i < params.size(); ++i) {
        int idx = static_cast<int>(i + 1);
        int rc = std::visit(
            [&](const auto& v) -> int {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>)
                    return sqlite3_bind_null(stmt, idx);
                else if constexpr (std::is_same_v<T, int64_t>)
                    return sqlite3_bind_int64(stmt, idx, v);
                else if constexpr (std::is_same_v<T, double>)
                    return sqlite3_bind_double(stmt, idx, v);
                else
                    return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
            },
            params[i]);
        if (rc != SQLITE_OK) return Fail(Code::kInternal, "bind failed at parameter " + std::to_string(idx));
    }
    return Ok();
}

Value Column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
            return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt, i);
        case SQLITE_NULL:
            return nullptr;
        default: {
            auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
        }
    }
}

struct ResetOnExit {
    sqlite3_stmt* stmt;
    ~ResetOnExit() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path, int busy_timeout_ms,
                                                             bool synchronous_full) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        sqlite3_close(raw);
        return Fail(Code::kUnavailable, "cannot open " + path + ": " + msg);
    }
    std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw, path));
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    db->busy_timeout_ms_ = busy_timeout_ms;
    sqlite3_extended_result_codes(raw, 1);
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
          "PRAGMA foreign_keys=ON"}) {
        if (auto st = db->ExecRaw(pragma); !st) return Fail(st.error());
    }
    return db;
}

SqliteDatabase::~SqliteDatabase() {
    for (auto& [_, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Error SqliteDatabase::LastError(const Sql& sql, int rc) const {
    int base = rc & 0xff;
    Code code = Code::kInternal;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        code = Code::kUnavailable;
    else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = Code::kAlreadyExists;
    else if (base == SQLITE_CONSTRAINT)
        code = Code::kFailedPrecondition;
    else if (base == SQLITE_FULL || base == SQLITE_IOERR || base == SQLITE_CANTOPEN)
        code = Code::kUnavailable;
    return Error{code, std::string(sql.name) + ": " + sqlite3_errmsg(db_)};
}

Status SqliteDatabase::ExecRaw(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : "unknown";
        sqlite3_free(err);
        return Fail((rc & 0xff) == SQLITE_BUSY ? Code::kUnavailable : Code::kInternal, std::string(sql) + ": " + msg);
    }
    return Ok();
}

Result<sqlite3_stmt*> SqliteDatabase::Prepare(const Sql& sql) {
    if (auto it = cache_.find(sql.text); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.text.data(), static_cast<int>(sql.text.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt, nullptr);
    if (rc != SQLITE_OK) return Fail(LastError(sql, rc));
    cache_.emplace(std::string(sql.text), stmt);
    return stmt;
}

Result<std::vector<Row>> SqliteDatabase::Query(const Sql& sql, std::span<const Value> params) {
    auto stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    ResetOnExit reset{*stmt};
    if (auto st = Bind(*stmt, params); !st) return Fail(st.error());
    std::vector<Row> rows;
    int ncol = sqlite3_column_count(*stmt);
    for (;;) {
        int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Fail(LastError(sql, rc));
        std::vector<Value> cols;
        cols.reserve(static_cast<size_t>(ncol));
        for (int i = 0; i < ncol; ++i) cols.push_back(Column(*stmt, i));
        rows.emplace_back(std::move(cols));
    }
    return rows;
}

Result<int64_t> SqliteDatabase::Execute(const Sql& sql, std::span<const Value> params) {
    auto stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    ResetOnExit reset{*stmt};
    if (auto st = Bind(*stmt, params); !st) return Fail(st.error());
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Fail(LastError(sql, rc));
    return static_cast<int64_t>(sqlite3_changes(db_));
}

Result<Transaction> SqliteDatabase::Begin() {
    if (in_tx_) return Fail(Code::kInternal, "nested transaction on " + path_);
    if (auto st = ExecRaw("BEGIN IMMEDIATE"); !st) return Fail(st.error());
    in_tx_ = true;
    return Transaction(this);
}

Result<Transaction> SqliteDatabase::TryBegin() { return BeginWithin(0); }

Result<Transaction> SqliteDatabase::BeginWithin(int wait_ms) {
    if (in_tx_) return Fail(Code::kInternal, "nested transaction on " + path_);
    sqlite3_busy_timeout(db_, std::max(wait_ms, 0));
    auto st = ExecRaw("BEGIN IMMEDIATE");
    sqlite3_busy_timeout(db_, busy_timeout_ms_);
    if (!st) return Fail(st.error());
    in_tx_ = true;
    return Transaction(this);
}

Status SqliteDatabase::CommitTx() {
    auto st = ExecRaw("COMMIT");
    if (!st) {
        ExecRaw("ROLLBACK");
    }
    in_tx_ = false;
    return st;
}

void SqliteDatabase::RollbackTx() {
    ExecRaw("ROLLBACK");
    in_tx_ = false;
}

int64_t SqliteDatabase::DataVersion() {
    static constexpr Sql kDataVersion{"data_version", "PRAGMA data_version"};
    auto rows = Query(kDataVersion);
    return rows && !rows->empty() ? rows->front().Int(0) : -1;
}

Result<std::vector<std::string>> SqliteDatabase::Columns(std::string_view table) {
    static constexpr Sql kColumns{"table_columns", "SELECT name FROM pragma_table_info(?)"};
    std::vector<std::string> out;
    for (const auto& row : RESERVO_TRY(Query(kColumns, {std::string(table)}))) out.push_back(row.Text(0));
    return out;
}

Result<std::vector<std::string>> SqliteDatabase::Indexes(std::string_view table) {
    static constexpr Sql kIndexes{"table_indexes",
                                  "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                  "AND sql IS NOT NULL"};
    std::vector<std::string> out;
    for (const auto& row : RESERVO_TRY(Query(kIndexes, {std::string(table)}))) out.push_back(row.Text(0));
    return out;
}

Status SqliteDatabase::Migrate(std::span<const Migration> migrations) {
    return ApplyMigrations(migrations, [&](std::string_view sql) { return ExecRaw(std::string(sql).c_str()); });
}

}  // namespace reservo::store
