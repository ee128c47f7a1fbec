// Read side of a REST resource in the Spring Data REST shape, shared by every service:
// list with paging and sorting, show one, and `search/findByX` finders.
//
//   const Resource kLots{"vaccineMgmts", "vaccine_mgmts",
//                        {{"id", "id", Column::kInt}, {"hospital", "hospital", Column::kText}, ...}};
//   router.Get("/vaccineMgmts", [&](Request& req) { return ListResource(req, db, kLots); });
//   router.Get("/vaccineMgmts/{id}", [&](Request& req) { return ShowResource(req, db, kLots); });
//   router.Get("/vaccineMgmts/search/findByHospital",
//              [&](Request& req) { return FindResource(req, db, kLots, "hospital"); });
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kit/http/message.hpp"
#include "kit/store/database.hpp"

namespace reservo::service {

struct Column {
    enum Type { kInt, kText, kReal };
    std::string json;  // field name in JSON
    std::string sql;   // column name in the table
    Type type = kText;
};

struct Resource {
    std::string collection;       // "vaccineMgmts"
    std::string table;            // "vaccine_mgmts"
    std::vector<Column> columns;  // the first is the id
};

boost::json::object RowToJson(const store::Row& row, const Resource& resource);
// The entity with this id as JSON, or NotFound.
Result<boost::json::object> LoadEntity(store::Database& db, const Resource& resource, int64_t id);

http::Response ListResource(const http::Request& req, store::Database& db, const Resource& resource);
http::Response ShowResource(const http::Request& req, store::Database& db, const Resource& resource);
// `GET .../search/findByX?x=&page=&size=&sort=` — matches `json_field` exactly (numbers leniently),
// paged and sorted like the list.
http::Response FindResource(const http::Request& req, store::Database& db, const Resource& resource,
                            std::string_view json_field);

}  // namespace reservo::service
