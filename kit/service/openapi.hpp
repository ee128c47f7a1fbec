// OpenAPI 3 documents, generated from what a service declares — its routes and the entities its
// collections expose — so they cannot drift from what it serves:
//
//   GET /v3/api-docs on a service: its document (ExposeReads adds the route);
//   GET /v3/api-docs on the gateway: the system's, merged from its services' (the paths it routes).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kit/http/router.hpp"
#include "kit/store/table.hpp"

namespace reservo::service {

// The document of one service: every route of `router` as an operation; those of the collections
// in `shapes` (list, show, search, finders, create, replace, merge, delete) with their parameters,
// request and response schemas.
boost::json::object OpenApiDocument(std::string_view title, const http::Router& router,
                                    std::span<const store::TableShape* const> shapes);

// One document from several: the paths `keep(path, method)` accepts, and every schema.
boost::json::object MergeOpenApi(std::string_view title, const std::vector<boost::json::object>& documents,
                                 const std::function<bool(std::string_view path, std::string_view method)>& keep);

}  // namespace reservo::service
