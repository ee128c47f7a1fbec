#include "kit/service/openapi.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "kit/http/hal.hpp"

namespace reservo::service {
namespace {

namespace bj = boost::json;
using store::ColumnType;
using store::TableShape;

// "vaccineMgmts" → "VaccineMgmt": the entity's schema name.
std::string SchemaName(std::string_view collection) {
    std::string s = http::Singular(collection);
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

bj::object Ref(std::string_view schema) { return {{"$ref", "#/components/schemas/" + std::string(schema)}}; }

bj::object TypeOf(ColumnType type) {
    switch (type) {
        case ColumnType::kInt:
            return {{"type", "integer"}, {"format", "int64"}};
        case ColumnType::kReal:
            return {{"type", "number"}, {"format", "double"}};
        case ColumnType::kBool:
            return {{"type", "boolean"}};
        case ColumnType::kText:
            break;
    }
    return {{"type", "string"}};
}

bj::object Content(std::string_view media, bj::object schema, std::string_view description) {
    return {{"description", description}, {"content", {{media, {{"schema", std::move(schema)}}}}}};
}
bj::object Hal(bj::object schema, std::string_view description) {
    return Content("application/hal+json", std::move(schema), description);
}
bj::object ProblemAnswer(std::string_view description) {
    return Content("application/problem+json", Ref("Problem"), description);
}

bj::object Param(std::string_view name, std::string_view in, bj::object schema, bool required,
                 std::string_view description = {}) {
    bj::object p{{"name", name}, {"in", in}, {"required", required}, {"schema", std::move(schema)}};
    if (!description.empty()) p["description"] = description;
    return p;
}

void AddPaging(bj::array& params) {
    params.push_back(
        Param("page", "query", {{"type", "integer"}, {"minimum", 0}, {"default", 0}}, false, "the page, from 0"));
    params.push_back(
        Param("size", "query", {{"type", "integer"}, {"minimum", 1}, {"default", 20}}, false, "entities per page"));
    params.push_back(
        Param("sort", "query", {{"type", "string"}}, false, "a field, then optionally ,asc or ,desc: hospital,desc"));
}

// The {name} segments of a route pattern, as path parameters (an id is a positive integer).
bj::array PathParams(std::string_view pattern) {
    bj::array out;
    for (size_t open = pattern.find('{'); open != std::string_view::npos; open = pattern.find('{', open + 1)) {
        const size_t close = pattern.find('}', open);
        if (close == std::string_view::npos) break;
        const std::string name(pattern.substr(open + 1, close - open - 1));
        bj::object schema =
            name == "id" ? bj::object{{"type", "integer"}, {"minimum", 1}} : bj::object{{"type", "string"}};
        out.push_back(Param(name, "path", std::move(schema), true));
    }
    return out;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// An operation id unique in the document: the method and the pattern's words.
std::string OperationId(std::string_view method, std::string_view pattern) {
    std::string id = Lower(method);
    bool upper = true;
    for (char c : pattern) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            upper = true;
            continue;
        }
        id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return id;
}

// What a collection's route does, from its place in the Spring Data REST shape.
void DescribeCollectionRoute(bj::object& op, std::string_view method, std::string_view rest, const TableShape& shape) {
    const std::string& collection = shape.collection();
    const std::string entity = SchemaName(collection);
    bj::object& answers = op["responses"].as_object();
    bj::array& params = op["parameters"].as_array();
    bj::object body{{"required", true}, {"content", {{"application/json", {{"schema", Ref(entity)}}}}}};
    if (rest.empty() && method == "GET") {
        op["summary"] = "Lists " + collection + ", a page at a time";
        AddPaging(params);
        answers["200"] = Hal(Ref(entity + "Page"), "a page of " + collection);
        answers["400"] = ProblemAnswer("a malformed page, size or sort");
    } else if (rest.empty() && method == "POST") {
        op["summary"] = "Creates one of " + collection;
        op["requestBody"] = body;
        answers["201"] = Hal(Ref(entity), "created; Location is its URL");
        answers["400"] = ProblemAnswer("a field missing or malformed");
        answers["409"] = ProblemAnswer("refused by the entity's rules");
    } else if (rest == "/{id}") {
        op["summary"] = method == "GET"      ? "Shows one of " + collection
                        : method == "PUT"    ? "Replaces one of " + collection
                        : method == "PATCH"  ? "Changes the fields given, of one of " + collection
                        : method == "DELETE" ? "Deletes one of " + collection
                                             : std::string();
        if (method == "PUT" || method == "PATCH") op["requestBody"] = body;
        if (method == "DELETE") {
            answers["204"] = bj::object{{"description", "deleted"}};
        } else {
            answers["200"] = Hal(Ref(entity), "the entity");
        }
        answers["404"] = ProblemAnswer("no such entity");
        if (method != "GET") answers["409"] = ProblemAnswer("refused by the entity's rules");
    } else if (rest == "/search" && method == "GET") {
        op["summary"] = "Lists the finders of " + collection;
        answers["200"] = Hal({{"type", "object"}}, "a link per finder");
    } else if (rest.starts_with("/search/findBy") && method == "GET") {
        std::string field(rest.substr(14));
        if (!field.empty()) field[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(field[0])));
        const auto* column = shape.Field(field);
        op["summary"] = "Finds " + collection + " by " + field;
        params.push_back(Param(field, "query", TypeOf(column ? column->type : ColumnType::kText), true));
        AddPaging(params);
        answers["200"] = Hal(Ref(entity + "Page"), "a page of the " + collection + " found");
        answers["400"] = ProblemAnswer("the parameter missing or malformed");
    }
}

void AddEntitySchemas(bj::object& schemas, const TableShape& shape) {
    const std::string entity = SchemaName(shape.collection());
    bj::object properties;
    for (const auto& column : shape.columns()) {
        if (shape.Hidden(column.field)) continue;
        bj::object type = TypeOf(column.type);
        if (column.nullable) type["nullable"] = true;
        if (column.field == "id") type["readOnly"] = true;
        properties[column.field] = std::move(type);
    }
    properties["_links"] = bj::object{{"type", "object"}, {"readOnly", true}};
    schemas[entity] = bj::object{{"type", "object"}, {"properties", std::move(properties)}};
    schemas[entity + "Page"] = bj::object{
        {"type", "object"},
        {"properties",
         {{"_embedded",
           {{"type", "object"}, {"properties", {{shape.collection(), {{"type", "array"}, {"items", Ref(entity)}}}}}}},
          {"_links", {{"type", "object"}}},
          {"page", Ref("PageMetadata")}}}};
}

bj::object CommonSchemas() {
    return {
        {"Problem",
         {{"type", "object"},
          {"description", "RFC 9457 problem details"},
          {"properties",
           {{"type", {{"type", "string"}}},
            {"title", {{"type", "string"}}},
            {"status", {{"type", "integer"}}},
            {"detail", {{"type", "string"}}}}}}},
        {"PageMetadata",
         {{"type", "object"},
          {"properties",
           {{"size", {{"type", "integer"}}},
            {"totalElements", {{"type", "integer"}}},
            {"totalPages", {{"type", "integer"}}},
            {"number", {{"type", "integer"}}}}}}},
    };
}

// The operations of one path, created when missing.
bj::object& PathItem(bj::object& paths, std::string_view path) {
    bj::value& item = paths[path];
    if (!item.is_object()) item.emplace_object();
    return item.as_object();
}

}  // namespace

bj::object OpenApiDocument(std::string_view title, const http::Router& router,
                           std::span<const store::TableShape* const> shapes) {
    bj::object schemas = CommonSchemas();
    for (const TableShape* shape : shapes) AddEntitySchemas(schemas, *shape);
    bj::object paths;
    for (const auto& [method, pattern] : router.Routes()) {
        if (method == "*" || method == "OPTIONS" || pattern == "/" || pattern.starts_with("/profile") ||
            pattern.starts_with("/v3/"))
            continue;
        bj::object op{{"operationId", OperationId(method, pattern)},
                      {"parameters", PathParams(pattern)},
                      {"responses", {{"default", ProblemAnswer("an error")}}}};
        const TableShape* owner = nullptr;
        for (const TableShape* shape : shapes) {
            const std::string base = "/" + shape->collection();
            if (pattern == base || pattern.starts_with(base + "/")) owner = shape;
        }
        if (owner) {
            op["tags"] = bj::array{bj::string(owner->collection())};
            DescribeCollectionRoute(op, method, std::string_view(pattern).substr(owner->collection().size() + 1),
                                    *owner);
        }
        if (op["responses"].as_object().size() == 1) {  // a command of the context's own: its answer is JSON
            op["responses"].as_object()["200"] = bj::object{{"description", "done"}};
        }
        PathItem(paths, pattern)[Lower(method)] = std::move(op);
    }
    return {{"openapi", "3.0.3"},
            {"info", {{"title", title}, {"version", "v1"}}},
            {"paths", std::move(paths)},
            {"components", {{"schemas", std::move(schemas)}}}};
}

bj::object MergeOpenApi(std::string_view title, const std::vector<bj::object>& documents,
                        const std::function<bool(std::string_view path, std::string_view method)>& keep) {
    bj::object paths;
    bj::object schemas;
    for (const auto& doc : documents) {
        if (const auto* p = doc.if_contains("paths"); p && p->is_object()) {
            for (const auto& [path, item] : p->as_object()) {
                if (!item.is_object()) continue;
                for (const auto& [method, op] : item.as_object()) {
                    if (keep(path, method)) PathItem(paths, path)[method] = op;
                }
            }
        }
        const auto* components = doc.if_contains("components");
        const auto* s =
            components && components->is_object() ? components->as_object().if_contains("schemas") : nullptr;
        if (s && s->is_object()) {
            for (const auto& [name, schema] : s->as_object()) schemas[name] = schema;
        }
    }
    return {{"openapi", "3.0.3"},
            {"info", {{"title", title}, {"version", "v1"}}},
            {"paths", std::move(paths)},
            {"components", {{"schemas", std::move(schemas)}}}};
}

}  // namespace reservo::service
