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

}  // namespace reservo::store
