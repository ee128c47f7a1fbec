#include "kit/service/resource.hpp"

#include <boost/json.hpp>

#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::service {
namespace {

std::string SelectList(const Resource& r) {
    std::string cols;
    for (const auto& c : r.columns) cols += (cols.empty() ? "" : ", ") + c.sql;
    return "SELECT " + cols + " FROM " + r.table;
}

const Column* FindColumn(const Resource& r, std::string_view json) {
    for (const auto& c : r.columns) {
        if (c.json == json) return &c;
    }
    return nullptr;
}

// Dynamic statements are built only from the resource's declared columns, never from input.
store::Sql Named(std::string_view name, const std::string& text) { return store::Sql{name, text}; }

// `?page=&size=&sort=`, sortable by every declared column.
Result<http::PageRequest> ParseResourcePage(const http::Request& req, const Resource& resource) {
    auto sort = req.Query("sort");
    if (!sort || sort->empty()) return http::ParsePage(req, {});
    std::string field = sort->substr(0, sort->find(','));
    if (!FindColumn(resource, field)) return Fail(Code::kInvalidArgument, "sort: cannot sort by '" + field + "'");
    // Validate the rest (direction, page, size) with the field known to be sortable.
    return http::ParsePage(req, {std::string_view(field)});
}

// " ORDER BY <column> <dir>[, <id>] LIMIT ? OFFSET ?": ties broken by id so pages do not overlap.
std::string OrderAndPage(const Resource& resource, const http::PageRequest& page) {
    const std::string& id = resource.columns.front().sql;
    std::string order = page.sort.empty() ? id : FindColumn(resource, page.sort)->sql;
    return " ORDER BY " + order + (page.descending ? " DESC" : " ASC") + (order == id ? "" : ", " + id) +
           " LIMIT ? OFFSET ?";
}

}  // namespace

boost::json::object RowToJson(const store::Row& row, const Resource& resource) {
    boost::json::object out;
    for (size_t i = 0; i < resource.columns.size() && i < row.size(); ++i) {
        const auto& c = resource.columns[i];
        if (row.IsNull(i)) {
            out[c.json] = nullptr;
        } else if (c.type == Column::kInt) {
            out[c.json] = row.Int(i);
        } else if (c.type == Column::kReal) {
            out[c.json] = row.Real(i);
        } else {
            out[c.json] = row.Text(i);
        }
    }
    return out;
}

Result<boost::json::object> LoadEntity(store::Database& db, const Resource& resource, int64_t id) {
    std::string text = SelectList(resource) + " WHERE " + resource.columns.front().sql + " = ?";
    auto rows = db.Query(Named("load_" + resource.table, text), {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Code::kNotFound, resource.collection + "/" + std::to_string(id) + " does not exist");
    return RowToJson(rows->front(), resource);
}

http::Response ListResource(const http::Request& req, store::Database& db, const Resource& resource) {
    auto page = ParseResourcePage(req, resource);
    if (!page) return http::ProblemFrom(page.error());
    std::string text = SelectList(resource) + OrderAndPage(resource, *page);
    auto rows = db.Query(Named("list_" + resource.table, text), {page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(Named("count_" + resource.table, "SELECT COUNT(*) FROM " + resource.table));
    if (!count) return http::ProblemFrom(count.error());
    std::vector<boost::json::object> items;
    for (const auto& row : *rows) items.push_back(RowToJson(row, resource));
    return http::CollectionResponse(req, resource.collection, std::move(items), *page, count->Int(0));
}

http::Response ShowResource(const http::Request& req, store::Database& db, const Resource& resource) {
    auto id = http::ParseId(req.Param("id"));
    if (!id) return http::ProblemFrom(id.error());
    auto entity = LoadEntity(db, resource, *id);
    if (!entity) return http::ProblemFrom(entity.error());
    return http::EntityResponse(req, 200, resource.collection, *id, std::move(*entity));
}

http::Response FindResource(const http::Request& req, store::Database& db, const Resource& resource,
                            std::string_view json_field) {
    const Column* col = FindColumn(resource, json_field);
    auto value = req.Query(json_field);
    if (!col || !value) return http::Problem(400, "", std::string(json_field) + ": query parameter is required");
    store::Value bound = *value;
    if (col->type == Column::kInt) {
        auto n = json::ToInt(boost::json::value(*value), json_field);
        if (!n) return http::ProblemFrom(n.error());
        bound = *n;
    }
    auto page = ParseResourcePage(req, resource);
    if (!page) return http::ProblemFrom(page.error());
    std::string where = " WHERE " + col->sql + " = ?";
    std::string text = SelectList(resource) + where + OrderAndPage(resource, *page);
    auto rows = db.Query(Named("find_" + resource.table + "_by_" + col->sql, text),
                         {bound, page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(
        Named("count_" + resource.table + "_by_" + col->sql, "SELECT COUNT(*) FROM " + resource.table + where),
        {bound});
    if (!count) return http::ProblemFrom(count.error());
    std::vector<boost::json::object> items;
    for (const auto& row : *rows) items.push_back(RowToJson(row, resource));
    return http::SearchResponse(req, resource.collection, std::move(items), *page, count->Int(0));
}

}  // namespace reservo::service
