#include "kit/store/table.hpp"

#include <algorithm>
#include <cctype>

namespace reservo::store {
namespace {

std::string SqlType(const ColumnShape& c) {
    switch (c.type) {
        case ColumnType::kInt:
        case ColumnType::kBool:
            return "INTEGER";
        case ColumnType::kReal:
            return "REAL";
        case ColumnType::kText:
            return "TEXT";
    }
    return "TEXT";
}

// The value a NOT NULL column added to a table with rows starts with.
std::string ZeroValue(const ColumnShape& c) { return c.type == ColumnType::kText ? "''" : "0"; }

std::vector<std::string> SplitFields(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string part = list.substr(start, comma - start);
        while (!part.empty() && part.front() == ' ') part.erase(part.begin());
        while (!part.empty() && part.back() == ' ') part.pop_back();
        if (!part.empty()) out.push_back(part);
        start = comma + 1;
    }
    return out;
}

}  // namespace

std::string SnakeCase(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (!out.empty()) out += '_';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

TableShape::TableShape(EntityOptions options, std::vector<ColumnShape> columns)
    : options_(std::move(options)), columns_(std::move(columns)) {
    if (options_.table.empty()) options_.table = SnakeCase(options_.collection);
    Build();
}

void TableShape::Build() {
    std::string cols;
    std::string marks;
    std::string sets;
    for (size_t i = 0; i < columns_.size(); ++i) {
        cols += (i ? ", " : "") + columns_[i].column;
        marks += i ? ", ?" : "?";
        if (i > 0) sets += (i > 1 ? ", " : "") + columns_[i].column + " = ?";
    }
    std::string rest_cols;
    std::string rest_marks;
    for (size_t i = 1; i < columns_.size(); ++i) {
        rest_cols += (i > 1 ? ", " : "") + columns_[i].column;
        rest_marks += i > 1 ? ", ?" : "?";
    }
    const std::string& t = options_.table;
    select_ = "SELECT " + cols + " FROM " + t;
    load_ = select_ + " WHERE id = ?";
    insert_ = "INSERT INTO " + t + " (" + cols + ") VALUES (" + marks + ")";
    insert_returning_ = "INSERT INTO " + t + " (" + rest_cols + ") VALUES (" + rest_marks + ") RETURNING id";
    update_ = "UPDATE " + t + " SET " + sets + " WHERE id = ?";
    delete_ = "DELETE FROM " + t + " WHERE id = ?";
    load_name_ = "load_" + t;
    insert_name_ = "insert_" + t;
    update_name_ = "update_" + t;
    delete_name_ = "delete_" + t;
}

const ColumnShape* TableShape::Field(std::string_view field) const {
    for (const auto& c : columns_) {
        if (c.field == field) return &c;
    }
    return nullptr;
}

bool TableShape::Hidden(std::string_view field) const {
    for (const auto& h : options_.hidden) {
        if (h == field) return true;
    }
    return false;
}

Error TableShape::Missing(int64_t id) const {
    return Error{Code::kNotFound, options_.collection + "/" + std::to_string(id) + " does not exist"};
}

TableShape TableShape::Renamed(std::string table) const {
    EntityOptions options = options_;
    options.table = std::move(table);
    return TableShape(std::move(options), columns_);
}

Status TableShape::Ensure(Database& db) const {
    auto tx = db.Begin();
    if (!tx) return Fail(tx.error());
    if (auto st = Create(db); !st) return st;
    return tx->Commit();
}

Status TableShape::Create(Database& db) const {
    const std::string& t = options_.table;
    std::string ddl = "CREATE TABLE IF NOT EXISTS " + t + " (id INTEGER PRIMARY KEY" +
                      (options_.assigned_ids ? "" : " AUTOINCREMENT");
    for (size_t i = 1; i < columns_.size(); ++i) {
        ddl += ", " + columns_[i].column + " " + SqlType(columns_[i]) + (columns_[i].nullable ? "" : " NOT NULL");
    }
    for (const auto& check : options_.checks) ddl += ", CHECK (" + check + ")";
    ddl += ")";

    // Every index, as (fields, unique).
    std::vector<std::pair<std::string, bool>> indexes;
    for (const auto& f : options_.finders) indexes.emplace_back(f, false);
    for (const auto& f : options_.indexes) indexes.emplace_back(f, false);
    for (const auto& f : options_.unique) indexes.emplace_back(f, true);

    if (auto r = db.Execute(Sql{"create_" + t, ddl}); !r) return Fail(r.error());

    // Columns declared since the table was made.
    auto existing = db.Columns(t);
    if (!existing) return Fail(existing.error());
    for (const auto& c : columns_) {
        if (std::find(existing->begin(), existing->end(), c.column) != existing->end()) continue;
        std::string add = "ALTER TABLE " + t + " ADD COLUMN " + c.column + " " + SqlType(c) +
                          (c.nullable ? "" : " NOT NULL DEFAULT " + ZeroValue(c));
        if (auto r = db.Execute(Sql{"add_column_" + t, add}); !r) return Fail(r.error());
    }

    for (const auto& [fields, unique] : indexes) {
        std::string name = t + (unique ? "_unique_" : "_by_");
        std::string cols;
        for (const auto& f : SplitFields(fields)) {
            const ColumnShape* c = Field(f);
            if (!c) return Fail(Code::kInternal, t + ": index over unknown field '" + f + "'");
            name += (cols.empty() ? "" : "_") + c->column;
            cols += (cols.empty() ? "" : ", ") + c->column;
        }
        std::string sql = std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + name + " ON " +
                          t + " (" + cols + ")";
        if (auto r = db.Execute(Sql{"index_" + name, sql}); !r) return Fail(r.error());
    }
    return Ok();
}

}  // namespace reservo::store
