// The read side of an entity in the Spring Data REST shape, shared by every service: list with
// paging and sorting, show one, the search index and `search/findByX` finders. Most contexts get
// these through ExposeReads (kit/service/rest.hpp); the functions are here for custom routes.
//
//   router.Get("/vaccineMgmts", [&](Request& req) { return ListResource(req, db, kLots.shape()); });
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string_view>

#include "kit/http/message.hpp"
#include "kit/store/table.hpp"

namespace reservo::service {

// A row read with `shape.select()` as JSON (hidden fields left out).
boost::json::object RowToJson(const store::Row& row, const store::TableShape& shape);

http::Response ListResource(const http::Request& req, store::Database& db, const store::TableShape& shape);
http::Response ShowResource(const http::Request& req, store::Database& db, const store::TableShape& shape);
// `GET .../search/findByX?x=&page=&size=&sort=` — matches `field` exactly (numbers leniently),
// paged and sorted like the list.
http::Response FindResource(const http::Request& req, store::Database& db, const store::TableShape& shape,
                            std::string_view field);
// `GET .../search`: the finders, as HAL links.
http::Response SearchIndex(const http::Request& req, const store::TableShape& shape);
// `GET /`: the collections a service exposes, as HAL links, and its profile.
http::Response RootIndex(const http::Request& req, std::span<const store::TableShape* const> shapes);
// `GET /profile`: a link to each collection's profile.
http::Response ProfileIndex(const http::Request& req, std::span<const store::TableShape* const> shapes);
// `GET /profile/<collection>`: the entity's fields as an ALPS document (`application/alps+json`),
// as Spring Data REST describes its repositories.
http::Response Profile(const http::Request& req, const store::TableShape& shape);

}  // namespace reservo::service
