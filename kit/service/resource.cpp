#include "kit/service/resource.hpp"

#include <boost/json.hpp>

#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::service {
namespace {

using store::ColumnShape;
using store::ColumnType;
using store::TableShape;

// Dynamic statements are built only from the entity's declared columns, never from input.
store::Sql Named(std::string_view name, const std::string& text) { return store::Sql{name, text}; }

const ColumnShape* SortableField(const TableShape& shape, std::string_view field) {
    return shape.Hidden(field) ? nullptr : shape.Field(field);
}

// `?page=&size=&sort=`, sortable by every shown field.
Result<http::PageRequest> ParseResourcePage(const http::Request& req, const TableShape& shape) {
    auto sort = req.Query("sort");
    if (!sort || sort->empty()) return http::ParsePage(req, {});
    std::string field = sort->substr(0, sort->find(','));
    if (!SortableField(shape, field)) return Fail(Code::kInvalidArgument, "sort: cannot sort by '" + field + "'");
    // Validate the rest (direction, page, size) with the field known to be sortable.
    return http::ParsePage(req, {std::string_view(field)});
}

// " ORDER BY <column> <dir>[, id] LIMIT ? OFFSET ?": ties broken by id so pages do not overlap.
std::string OrderAndPage(const TableShape& shape, const http::PageRequest& page) {
    std::string order = page.sort.empty() ? "id" : SortableField(shape, page.sort)->column;
    return " ORDER BY " + order + (page.descending ? " DESC" : " ASC") + (order == "id" ? "" : ", id") +
           " LIMIT ? OFFSET ?";
}

std::string FinderName(std::string_view field) {
    std::string name = "findBy" + std::string(field);
    name[6] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[6])));
    return name;
}

}  // namespace

boost::json::object RowToJson(const store::Row& row, const TableShape& shape) {
    boost::json::object out;
    const auto& columns = shape.columns();
    for (size_t i = 0; i < columns.size() && i < row.size(); ++i) {
        const auto& c = columns[i];
        if (shape.Hidden(c.field)) continue;
        if (row.IsNull(i)) {
            out[c.field] = nullptr;
        } else if (c.type == ColumnType::kInt) {
            out[c.field] = row.Int(i);
        } else if (c.type == ColumnType::kBool) {
            out[c.field] = row.Int(i) != 0;
        } else if (c.type == ColumnType::kReal) {
            out[c.field] = row.Real(i);
        } else {
            out[c.field] = row.Text(i);
        }
    }
    return out;
}

http::Response ListResource(const http::Request& req, store::Database& db, const TableShape& shape) {
    auto page = ParseResourcePage(req, shape);
    if (!page) return http::ProblemFrom(page.error());
    std::string text = shape.select() + OrderAndPage(shape, *page);
    auto rows = db.Query(Named("list_" + shape.table(), text), {page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(Named("count_" + shape.table(), "SELECT COUNT(*) FROM " + shape.table()));
    if (!count) return http::ProblemFrom(count.error());
    std::vector<boost::json::object> items;
    for (const auto& row : *rows) items.push_back(RowToJson(row, shape));
    return http::CollectionResponse(req, shape.collection(), std::move(items), *page, count->Int(0));
}

http::Response ShowResource(const http::Request& req, store::Database& db, const TableShape& shape) {
    auto id = http::ParseId(req.Param("id"));
    if (!id) return http::ProblemFrom(id.error());
    auto rows = db.Query(shape.Load(), {*id});
    if (!rows) return http::ProblemFrom(rows.error());
    if (rows->empty()) return http::ProblemFrom(shape.Missing(*id));
    return http::EntityResponse(req, 200, shape.collection(), *id, RowToJson(rows->front(), shape));
}

http::Response FindResource(const http::Request& req, store::Database& db, const TableShape& shape,
                            std::string_view field) {
    const ColumnShape* col = shape.Field(field);
    auto value = req.Query(field);
    if (!col || !value) return http::Problem(400, "", std::string(field) + ": query parameter is required");
    store::Value bound = *value;
    if (col->type == ColumnType::kInt) {
        auto n = json::ToInt(boost::json::value(*value), field);
        if (!n) return http::ProblemFrom(n.error());
        bound = *n;
    } else if (col->type == ColumnType::kBool) {
        auto b = json::ToBool(boost::json::value(*value), field);
        if (!b) return http::ProblemFrom(b.error());
        bound = int64_t{*b ? 1 : 0};
    } else if (col->type == ColumnType::kReal) {
        auto d = json::ToDouble(boost::json::value(*value), field);
        if (!d) return http::ProblemFrom(d.error());
        bound = *d;
    }
    auto page = ParseResourcePage(req, shape);
    if (!page) return http::ProblemFrom(page.error());
    std::string where = " WHERE " + col->column + " = ?";
    std::string text = shape.select() + where + OrderAndPage(shape, *page);
    auto rows = db.Query(Named("find_" + shape.table() + "_by_" + col->column, text),
                         {bound, page->size, page->page * page->size});
    if (!rows) return http::ProblemFrom(rows.error());
    auto count = db.QueryOne(
        Named("count_" + shape.table() + "_by_" + col->column, "SELECT COUNT(*) FROM " + shape.table() + where),
        {bound});
    if (!count) return http::ProblemFrom(count.error());
    std::vector<boost::json::object> items;
    for (const auto& row : *rows) items.push_back(RowToJson(row, shape));
    return http::SearchResponse(req, shape.collection(), std::move(items), *page, count->Int(0));
}

http::Response SearchIndex(const http::Request& req, const TableShape& shape) {
    std::string base = http::BaseUrl(req) + "/" + shape.collection() + "/search";
    boost::json::object links{{"self", {{"href", base}}}};
    for (const auto& field : shape.options().finders) {
        std::string name = FinderName(field);
        links[name] = {{"href", base + "/" + name + "{?" + field + ",page,size,sort}"}, {"templated", true}};
    }
    return http::HalResponse(200, boost::json::object{{"_links", std::move(links)}});
}

http::Response RootIndex(const http::Request& req, std::span<const TableShape* const> shapes) {
    const std::string base = http::BaseUrl(req);
    boost::json::object links;
    for (const TableShape* shape : shapes) {
        links[shape->collection()] = {{"href", base + "/" + shape->collection() + "{?page,size,sort}"},
                                      {"templated", true}};
    }
    links["profile"] = {{"href", base + "/profile"}};
    return http::HalResponse(200, boost::json::object{{"_links", std::move(links)}});
}

http::Response ProfileIndex(const http::Request& req, std::span<const TableShape* const> shapes) {
    const std::string base = http::BaseUrl(req) + "/profile";
    boost::json::object links{{"self", {{"href", base}}}};
    for (const TableShape* shape : shapes) links[shape->collection()] = {{"href", base + "/" + shape->collection()}};
    return http::HalResponse(200, boost::json::object{{"_links", std::move(links)}});
}

http::Response Profile(const http::Request& req, const TableShape& shape) {
    // ALPS (RFC draft-amundsen-richardson-foster-alps): the representation and what can be done to it.
    const std::string& collection = shape.collection();
    const std::string singular = http::Singular(collection);
    boost::json::array fields;
    for (const auto& c : shape.columns()) {
        if (shape.Hidden(c.field)) continue;
        fields.push_back({{"name", c.field}, {"type", "SEMANTIC"}});
    }
    const std::string representation = singular + "-representation";
    boost::json::array descriptors{
        {{"id", representation}, {"href", http::BaseUrl(req) + "/profile/" + collection}, {"descriptor", fields}},
        {{"id", "get-" + collection}, {"name", collection}, {"type", "SAFE"}, {"rt", "#" + representation}},
        {{"id", "get-" + singular}, {"name", singular}, {"type", "SAFE"}, {"rt", "#" + representation}},
    };
    http::Response res =
        http::JsonResponse(200, boost::json::object{{"alps", {{"version", "1.0"}, {"descriptor", descriptors}}}});
    res.headers.Set("Content-Type", "application/alps+json");
    return res;
}

}  // namespace reservo::service
