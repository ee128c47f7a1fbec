#include "kit/store/postgres.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <regex>

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

std::string PostgresDatabase::Redacted(std::string_view url) {
    static const std::regex kUriPassword(R"(://([^:/@]*):[^@]*@)");                 // scheme://user:secret@host
    static const std::regex kQueryPassword(R"(([?&]password=)[^&]*)");              // ...?password=secret
    static const std::regex kKeyPassword(R"((^|\s)password\s*=\s*('[^']*'|\S+))");  // password=secret
    std::string out = std::regex_replace(std::string(url), kUriPassword, "://$1:***@");
    out = std::regex_replace(out, kQueryPassword, "$1***");
    return std::regex_replace(out, kKeyPassword, "$1password=***");
}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(PostgresOptions options) {
    if (options.schema.empty()) return Fail(Code::kInvalidArgument, "a PostgreSQL store needs a schema name");
    std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(std::move(options)));
    db->lock_key_ = LockKey(db->options_.schema);
    RESERVO_TRY(db->Connect());
    return db;
}

PostgresDatabase::~PostgresDatabase() {
    if (conn_) PQfinish(conn_);
}

std::string PostgresDatabase::Location() const {
    return "postgres " + Redacted(options_.url) + " schema " + options_.schema;
}

Status PostgresDatabase::Connect() {
    if (conn_) PQfinish(conn_);
    prepared_.clear();
    // Limits a URL may override: an unreachable server must not hold the event loop for minutes of
    // TCP retries (connect), nor a dead peer for hours (keepalives, unacknowledged writes).
    const char* keywords[] = {"connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
                              "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
    const char* values[] = {"2", "1", "5", "2", "3", "5000", options_.url.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = PQerrorMessage(conn_);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        PQfinish(conn_);
        conn_ = nullptr;
        return Fail(Code::kUnavailable, "cannot connect to " + Redacted(options_.url) + ": " + why);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
    char* ident = PQescapeIdentifier(conn_, options_.schema.data(), options_.schema.size());
    const std::string schema = ident ? ident : options_.schema;
    PQfreemem(ident);
    // Two replicas starting together may both try to create it: the loser sees it exist.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (Simple(("CREATE SCHEMA IF NOT EXISTS " + schema).c_str())) break;
    }
    RESERVO_TRY(Simple(("SET search_path TO " + schema).c_str()));
    RESERVO_TRY(Simple("SET application_name TO 'reservo'"));
    return Ok();
}

Status PostgresDatabase::Usable() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Ok();
    if (in_tx_) {
        tx_lost_ = true;
        return Fail(Code::kUnavailable, "the connection to " + Location() + " broke inside a transaction");
    }
    auto connected = Connect();
    if (!connected && !lost_)
        log::Warn("PostgreSQL unreachable; reconnecting at each call",
                  {{"store", Location()}, {"error", connected.error().message}});
    if (connected && lost_) log::Info("PostgreSQL reachable again", {{"store", Location()}});
    lost_ = !connected;
    return connected;
}

Error PostgresDatabase::ErrorOf(std::string_view what, PGresult* res) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = res ? PQresultErrorMessage(res) : "";
    if (message.empty() && conn_) message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    Code code = state ? CodeOf(state) : Code::kUnavailable;  // no state: the connection failed
    if (conn_ && PQstatus(conn_) != CONNECTION_OK) code = Code::kUnavailable;
    return Error{code, std::string(what) + ": " + message};
}

Status PostgresDatabase::Simple(const char* sql) {
    ResultPtr res(PQexec(conn_, sql));
    auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(ErrorOf(sql, res.get()));
    return Ok();
}

Result<PGresult*> PostgresDatabase::Run(const Sql& sql, std::span<const Value> params) {
    RESERVO_TRY(Usable());
    // Inside a transaction a failed statement would abort it; SQLite's does not, and callers may
    // go on (an insert refused as a duplicate, then another path): a savepoint keeps that true.
    const bool guard = in_tx_ && IsWrite(sql.text);
    if (guard) RESERVO_TRY(Simple("SAVEPOINT reservo_stmt"));
    auto failed = [&](PGresult* res) {
        Error error = ErrorOf(sql.name, res);
        PQclear(res);
        if (PQstatus(conn_) != CONNECTION_OK) {
            if (in_tx_) tx_lost_ = true;
        } else if (guard) {
            Simple("ROLLBACK TO SAVEPOINT reservo_stmt");
        }
        return Fail(std::move(error));
    };
    auto it = prepared_.find(sql.text);
    if (it == prepared_.end()) {
        const std::string name = "s" + std::to_string(prepared_.size() + 1);
        const std::string text = ToPostgres(sql.text);
        PGresult* res = PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) return failed(res);
        PQclear(res);
        it = prepared_.emplace(std::string(sql.text), name).first;
    }
    TextParams text(params);
    PGresult* res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(text.values.size()), text.values.data(),
                                   nullptr, nullptr, 0);
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failed(res);
    if (guard) {
        if (auto st = Simple("RELEASE SAVEPOINT reservo_stmt"); !st) {
            PQclear(res);
            return Fail(st.error());
        }
    }
    return res;
}

Result<std::vector<Row>> PostgresDatabase::Query(const Sql& sql, std::span<const Value> params) {
    ResultPtr res(RESERVO_TRY(Run(sql, params)));
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
    ResultPtr res(RESERVO_TRY(Run(sql, params)));
    const char* n = PQcmdTuples(res.get());
    int64_t changed = 0;
    if (n && *n) std::from_chars(n, n + std::strlen(n), changed);
    return changed;
}

Result<Transaction> PostgresDatabase::BeginLocked(bool wait) {
    if (in_tx_) return Fail(Code::kInternal, "nested transaction on " + Location());
    RESERVO_TRY(Usable());
    // Read committed whatever the server's default: the advisory lock below must come before the
    // snapshot a check reads from (repeatable read would take it at the lock's SELECT, before the wait).
    RESERVO_TRY(Simple("BEGIN ISOLATION LEVEL READ COMMITTED"));
    in_tx_ = true;
    tx_lost_ = false;
    Transaction tx(this);  // rolls back on any early return
    const std::string key = std::to_string(lock_key_);
    if (wait) {
        RESERVO_TRY(Simple(("SET LOCAL lock_timeout = " + std::to_string(options_.lock_wait_ms)).c_str()));
        RESERVO_TRY(Simple(("SELECT pg_advisory_xact_lock(" + key + ")").c_str()));
        RESERVO_TRY(Simple("SET LOCAL lock_timeout = 0"));
        return tx;
    }
    ResultPtr res(PQexec(conn_, ("SELECT pg_try_advisory_xact_lock(" + key + ")").c_str()));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return Fail(ErrorOf("try_write_lock", res.get()));
    if (PQgetvalue(res.get(), 0, 0)[0] != 't') return Fail(Code::kUnavailable, "write lock busy: " + Location());
    return tx;
}

Result<Transaction> PostgresDatabase::Begin() { return BeginLocked(true); }
Result<Transaction> PostgresDatabase::TryBegin() { return BeginLocked(false); }

Status PostgresDatabase::CommitTx() {
    in_tx_ = false;
    if (tx_lost_ || !conn_ || PQstatus(conn_) != CONNECTION_OK) {
        tx_lost_ = false;
        return Fail(Code::kUnavailable, "the transaction on " + Location() + " was lost with its connection");
    }
    ResultPtr res(PQexec(conn_, "COMMIT"));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        Error error = ErrorOf("commit", res.get());
        // The connection went while COMMIT was on its way: it may or may not have been applied.
        if (PQstatus(conn_) != CONNECTION_OK) error.code = Code::kUnknown;
        return Fail(std::move(error));
    }
    // COMMIT of a transaction that had failed answers ROLLBACK: nothing was kept.
    if (std::strcmp(PQcmdStatus(res.get()), "ROLLBACK") == 0)
        return Fail(Code::kAborted, "the transaction on " + Location() + " was rolled back");
    return Ok();
}

void PostgresDatabase::RollbackTx() {
    in_tx_ = false;
    tx_lost_ = false;
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) Simple("ROLLBACK");
}

Status PostgresDatabase::Migrate(std::span<const Migration> migrations) {
    return ApplyMigrations(migrations, [&](std::string_view sql) { return Simple(ToPostgres(sql).c_str()); });
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
