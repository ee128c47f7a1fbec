#include "kit/store/database.hpp"

namespace reservo::store {

int64_t Row::Int(size_t i) const {
    const Value& v = cols_.at(i);
    if (auto p = std::get_if<int64_t>(&v)) return *p;
    if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
    if (auto p = std::get_if<std::string>(&v)) return std::strtoll(p->c_str(), nullptr, 10);
    return 0;
}

double Row::Real(size_t i) const {
    const Value& v = cols_.at(i);
    if (auto p = std::get_if<double>(&v)) return *p;
    if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
    if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
    return 0;
}

std::string Row::Text(size_t i) const {
    const Value& v = cols_.at(i);
    if (auto p = std::get_if<std::string>(&v)) return *p;
    if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
    if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
    return "";
}

std::optional<std::string> Row::OptText(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Text(i);
}

Transaction::~Transaction() { Rollback(); }

Status Transaction::Commit() {
    if (!db_) return Fail(Code::kInternal, "transaction already finished");
    auto db = std::exchange(db_, nullptr);
    return db->CommitTx();
}

void Transaction::Rollback() {
    if (auto db = std::exchange(db_, nullptr)) db->RollbackTx();
}

Result<Row> Database::QueryOne(const Sql& sql, std::initializer_list<Value> params) {
    auto rows = Query(sql, params);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Code::kNotFound, "no row");
    return std::move(rows->front());
}

Status Database::ApplyMigrations(std::span<const Migration> migrations,
                                 const std::function<Status(std::string_view)>& run) {
    static constexpr Sql kCreate{"create_schema_migrations",
                                 "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"};
    static constexpr Sql kApplied{"migration_applied", "SELECT 1 FROM schema_migrations WHERE version = ?"};
    static constexpr Sql kRecord{"record_migration", "INSERT INTO schema_migrations (version) VALUES (?)"};
    auto tx = Begin();
    if (!tx) return Fail(tx.error());
    if (auto r = Execute(kCreate); !r) return Fail(r.error());
    for (const auto& m : migrations) {
        auto applied = Query(kApplied, {int64_t{m.version}});
        if (!applied) return Fail(applied.error());
        if (!applied->empty()) continue;
        if (auto st = run(m.sql); !st) {
            return Fail(st.error().code, "migration " + std::to_string(m.version) + ": " + st.error().message);
        }
        if (auto r = Execute(kRecord, {int64_t{m.version}}); !r) return Fail(r.error());
    }
    return tx->Commit();
}

}  // namespace reservo::store
