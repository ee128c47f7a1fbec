// An aggregate declared once: a described struct gives its table, its schema changes, its row
// mapping and (through kit/service/rest.hpp) its REST exposure and JSON.
//
//   struct VaccineLot { int64_t id; std::string vaccineType; json::Date availableDate; int64_t qty; };
//   BOOST_DESCRIBE_STRUCT(VaccineLot, (), (id, vaccineType, availableDate, qty))
//
//   const store::Table<VaccineLot> kLots({.collection = "vaccineMgmts", .checks = {"qty >= 0"},
//                                         .finders = {"hospital", "availableDate"}});
//   kLots.shape().Ensure(db);                          // CREATE TABLE vaccine_mgmts (...) when missing
//   Result<VaccineLot> lot = kLots.Load(tx, 7);        // NotFound "vaccineMgmts/7 does not exist"
//   lot->qty -= 1;
//   kLots.Update(tx, *lot);
//
// The first member is the id (int64_t). Columns are the members in snake_case; member types
// int64_t, double, bool, std::string, json::Date and std::optional of them (nullable). A member
// added later becomes a column at the next start (nullable, or with the type's zero value);
// renaming or dropping one needs an explicit migration.
#pragma once

#include <boost/describe.hpp>
#include <boost/mp11.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kit/json/json.hpp"
#include "kit/store/database.hpp"

namespace reservo::store {

enum class ColumnType { kInt, kReal, kText, kBool };

struct ColumnShape {
    std::string field;   // the member, and its JSON name: "availableDate"
    std::string column;  // the SQL column: "available_date"
    ColumnType type = ColumnType::kText;
    bool nullable = false;
};

struct EntityOptions {
    std::string collection;            // REST collection, and the entity's name in messages: "vaccineMgmts"
    std::string table;                 // empty: the collection in snake_case
    std::vector<std::string> finders;  // fields with `GET …/search/findByX` (each indexed)
    std::vector<std::string> indexes;  // more indexed fields; "a,b" indexes both together
    std::vector<std::string> unique;   // fields whose values are unique (indexed)
    std::vector<std::string> checks;   // SQL CHECK constraints over column names: "qty >= 0"
    std::vector<std::string> hidden;   // stored, but not shown in JSON
    bool assigned_ids = false;         // ids are given by the caller (a saga's key), not by the table
};

// "availableDate" → "available_date".
std::string SnakeCase(std::string_view name);

// The runtime description of an entity's table: columns, schema and the statements every table has.
class TableShape final {
  public:
    TableShape(EntityOptions options, std::vector<ColumnShape> columns);

    const EntityOptions& options() const { return options_; }
    const std::string& collection() const { return options_.collection; }
    const std::string& table() const { return options_.table; }
    const std::vector<ColumnShape>& columns() const { return columns_; }  // [0] is the id
    const ColumnShape* Field(std::string_view field) const;
    bool Hidden(std::string_view field) const;

    // Creates the table and its indexes when missing, and adds columns declared since.
    Status Ensure(Database& db) const;
    // The same inside the caller's transaction.
    Status Create(Database& db) const;
    // The same shape under another table name (a view rebuilt beside the one that serves).
    TableShape Renamed(std::string table) const;

    // "SELECT <columns> FROM <table>"
    const std::string& select() const { return select_; }
    Sql Load() const { return {load_name_, load_}; }
    Sql Insert() const { return {insert_name_, insert_}; }
    Sql InsertReturningId() const { return {insert_name_, insert_returning_}; }
    Sql Update() const { return {update_name_, update_}; }
    Sql Delete() const { return {delete_name_, delete_}; }
    // "<message subject>/<id> does not exist"
    Error Missing(int64_t id) const;

  private:
    void Build();

    EntityOptions options_;
    std::vector<ColumnShape> columns_;
    std::string select_, load_, insert_, insert_returning_, update_, delete_;
    std::string load_name_, insert_name_, update_name_, delete_name_;
};

namespace detail {

template <class M>
struct ColumnOf {
    static constexpr bool kNullable = false;
    using Plain = M;
};
template <class M>
struct ColumnOf<std::optional<M>> {
    static constexpr bool kNullable = true;
    using Plain = M;
};

template <class M>
constexpr ColumnType TypeOfColumn() {
    using P = typename ColumnOf<M>::Plain;
    if constexpr (std::is_same_v<P, bool>)
        return ColumnType::kBool;
    else if constexpr (std::is_integral_v<P>)
        return ColumnType::kInt;
    else if constexpr (std::is_floating_point_v<P>)
        return ColumnType::kReal;
    else if constexpr (std::is_same_v<P, std::string> || std::is_same_v<P, json::Date>)
        return ColumnType::kText;
    else
        static_assert(sizeof(P) == 0, "unsupported entity member type");
}

template <class P>
Value ToValue(const P& v) {
    if constexpr (std::is_same_v<P, bool>)
        return int64_t{v ? 1 : 0};
    else if constexpr (std::is_integral_v<P>)
        return static_cast<int64_t>(v);
    else if constexpr (std::is_floating_point_v<P>)
        return static_cast<double>(v);
    else if constexpr (std::is_same_v<P, json::Date>)
        return v.iso;
    else
        return v;
}

template <class P>
P FromColumn(const Row& row, size_t i) {
    if constexpr (std::is_same_v<P, bool>)
        return row.Int(i) != 0;
    else if constexpr (std::is_integral_v<P>)
        return static_cast<P>(row.Int(i));
    else if constexpr (std::is_floating_point_v<P>)
        return static_cast<P>(row.Real(i));
    else if constexpr (std::is_same_v<P, json::Date>)
        return json::Date{row.Text(i)};
    else
        return row.Text(i);
}

template <class T>
using Members = boost::describe::describe_members<T, boost::describe::mod_public>;

template <class T>
std::vector<ColumnShape> ColumnsOf() {
    std::vector<ColumnShape> out;
    boost::mp11::mp_for_each<Members<T>>([&](auto member) {
        using M = std::remove_cvref_t<decltype(std::declval<T&>().*member.pointer)>;
        out.push_back({member.name, SnakeCase(member.name), TypeOfColumn<M>(), ColumnOf<M>::kNullable});
    });
    return out;
}

}  // namespace detail

// The repository of an entity over any Database (a transaction handle in use cases).
template <class T>
class Table final {
  public:
    explicit Table(EntityOptions options) : shape_(std::move(options), detail::ColumnsOf<T>()) {}
    explicit Table(TableShape shape) : shape_(std::move(shape)) {}

    const TableShape& shape() const { return shape_; }

    Result<std::optional<T>> Find(Database& db, int64_t id) const {
        auto rows = db.Query(shape_.Load(), {id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<T>();
        return std::optional<T>(FromRow(rows->front()));
    }
    // The row with this id, or NotFound.
    Result<T> Load(Database& db, int64_t id) const {
        auto found = Find(db, id);
        if (!found) return Fail(found.error());
        if (!*found) return Fail(shape_.Missing(id));
        return std::move(**found);
    }
    // Stores a new row; its id comes from the table unless ids are assigned (then `row.id` is kept).
    Result<T> Insert(Database& db, T row) const {
        std::vector<Value> values = ToValues(row);
        if (shape_.options().assigned_ids) {
            auto r = db.Execute(shape_.Insert(), values);
            if (!r) return Fail(r.error());
            return row;
        }
        values.erase(values.begin());
        auto rows = db.Query(shape_.InsertReturningId(), values);
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return Fail(Code::kInternal, shape_.table() + ": insert returned no id");
        row.id = rows->front().Int(0);
        return row;
    }
    // Writes every column of an existing row; NotFound when there is none.
    Status Update(Database& db, const T& row) const {
        std::vector<Value> values = ToValues(row);
        values.push_back(values.front());
        values.erase(values.begin());
        auto changed = db.Execute(shape_.Update(), values);
        if (!changed) return Fail(changed.error());
        if (*changed == 0) return Fail(shape_.Missing(row.id));
        return Ok();
    }
    Status Delete(Database& db, int64_t id) const {
        auto changed = db.Execute(shape_.Delete(), {id});
        if (!changed) return Fail(changed.error());
        if (*changed == 0) return Fail(shape_.Missing(id));
        return Ok();
    }
    // Rows whose `field` equals `value`, by id, at most `limit`.
    Result<std::vector<T>> Where(Database& db, std::string_view field, Value value, int64_t limit = 1000) const {
        const ColumnShape* c = shape_.Field(field);
        if (!c) return Fail(Code::kInternal, shape_.table() + " has no field " + std::string(field));
        std::string text = shape_.select() + " WHERE " + c->column + " = ? ORDER BY id LIMIT ?";
        std::string name = shape_.table() + "_where_" + c->column;
        auto rows = db.Query(Sql{name, text}, {std::move(value), limit});
        if (!rows) return Fail(rows.error());
        std::vector<T> out;
        out.reserve(rows->size());
        for (const auto& r : *rows) out.push_back(FromRow(r));
        return out;
    }
    // The first row (by id) whose `field` equals `value`.
    Result<std::optional<T>> FindBy(Database& db, std::string_view field, Value value) const {
        auto rows = Where(db, field, std::move(value), 1);
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<T>();
        return std::optional<T>(std::move(rows->front()));
    }

    T FromRow(const Row& row) const {
        T out{};
        size_t i = 0;
        boost::mp11::mp_for_each<detail::Members<T>>([&](auto member) {
            using M = std::remove_cvref_t<decltype(out.*member.pointer)>;
            using P = typename detail::ColumnOf<M>::Plain;
            if constexpr (detail::ColumnOf<M>::kNullable) {
                if (!row.IsNull(i)) out.*member.pointer = detail::FromColumn<P>(row, i);
            } else {
                out.*member.pointer = detail::FromColumn<P>(row, i);
            }
            ++i;
        });
        return out;
    }
    std::vector<Value> ToValues(const T& row) const {
        std::vector<Value> out;
        boost::mp11::mp_for_each<detail::Members<T>>([&](auto member) {
            using M = std::remove_cvref_t<decltype(row.*member.pointer)>;
            if constexpr (detail::ColumnOf<M>::kNullable) {
                const auto& v = row.*member.pointer;
                out.push_back(v ? detail::ToValue(*v) : Value(nullptr));
            } else {
                out.push_back(detail::ToValue(row.*member.pointer));
            }
        });
        return out;
    }

  private:
    TableShape shape_;
};

}  // namespace reservo::store
