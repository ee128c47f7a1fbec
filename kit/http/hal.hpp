// Spring Data REST-shaped responses (HAL), so the seeds' http/curl commands work unchanged.
//
//   auto page = ParsePage(req, {"id", "hospital"});     // ?page=0&size=20&sort=hospital,desc
//   if (!page) return ProblemFrom(page.error());
//   return CollectionResponse(req, "vaccineMgmts", items, *page, total);
//   return CreatedResponse(req, "vaccineMgmts", id, entity);   // 201 + Location + _links.self
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/error.hpp"
#include "kit/http/message.hpp"

namespace reservo::http {

struct PageRequest {
    int64_t page = 0;
    int64_t size = 20;
    std::string sort;  // a column from the allowed list, or empty
    bool descending = false;
};

inline constexpr int64_t kMaxPageSize = 2000;

Result<PageRequest> ParsePage(const Request& req, std::initializer_list<std::string_view> sortable);

// "http://host:port" as the client sees it (X-Forwarded-* from the gateway, else Host). Only
// `http`/`https` is taken as the scheme, and only a plain host[:port] (no userinfo, no escapes) as the
// authority; anything else gives "http" and "localhost". An X-Forwarded-Port replaces the port.
std::string BaseUrl(const Request& req);

// `authority` (host[:port]) with its port replaced by `port`, an X-Forwarded-Port value, and left out
// when it is the scheme's default (80, 443): "gw:8080", "9443", "https" → "gw:9443". Unchanged when
// `port` is not a number 1..65535.
std::string WithPort(std::string_view authority, std::string_view port, std::string_view scheme);

// The name of one entity of a collection, its link rel: "vaccineMgmts" → "vaccineMgmt".
std::string Singular(std::string_view collection);

// Adds `_links.self` and `_links.<rel>` to an entity.
boost::json::object WithLinks(const Request& req, std::string_view collection, int64_t id, boost::json::object entity);

Response EntityResponse(const Request& req, int status, std::string_view collection, int64_t id,
                        boost::json::object entity);
Response CreatedResponse(const Request& req, std::string_view collection, int64_t id, boost::json::object entity);
// `items` are entities with their `id`; each gets its links.
Response CollectionResponse(const Request& req, std::string_view collection, std::vector<boost::json::object> items,
                            const PageRequest& page, int64_t total);
// A finder result (`/things/search/findByX?x=&page=&size=&sort=`): `_embedded`, `_links.self` (the
// request as made) and `page`, paged like a collection. Both carry first/prev/next/last links when
// there is more than one page, as Spring Data REST's do, and all HAL responses are
// `application/hal+json`.
Response SearchResponse(const Request& req, std::string_view collection, std::vector<boost::json::object> items,
                        const PageRequest& page, int64_t total);

// A HAL document: `application/hal+json`.
Response HalResponse(int status, const boost::json::value& body);

// Parses a path id; a non-number or non-positive is NotFound (Spring answers 404 for those too).
Result<int64_t> ParseId(std::string_view text);

}  // namespace reservo::http
