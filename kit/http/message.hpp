// HTTP messages as plain structs, free of Boost.Beast so adapters and tests include them cheaply.
//
//   Response Handle(Request& req) {
//       auto id = req.Param("id");
//       return JsonResponse(200, entity);
//   }
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reservo::http {

// ASCII case-insensitive equality, as header names (and hosts) compare.
bool IEquals(std::string_view a, std::string_view b);

// Header fields in arrival order; names compare case-insensitively.
class Headers final {
  public:
    std::optional<std::string_view> Find(std::string_view name) const;
    void Set(std::string_view name, std::string value);
    void Add(std::string_view name, std::string value);
    void Remove(std::string_view name);
    // Drops every field whose name satisfies `pred` (e.g. hop-by-hop fields in a proxy).
    template <class Pred>
    void RemoveIf(Pred pred) {
        std::erase_if(fields_, [&](const auto& f) { return pred(std::string_view(f.first)); });
    }
    const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

  private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
    std::string method;                                      // "GET", "POST", ...
    std::string target;                                      // origin-form as received: "/reservations?page=1"
    std::string path;                                        // percent-decoded path: "/reservations"
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
    Headers headers;
    std::string body;
    std::map<std::string, std::string, std::less<>> params;  // path variables filled by the router
    std::string_view route;                                  // the matched pattern, set by the router
    int version = 11;                                        // 10 or 11
    std::string remote_address;  // the peer's IP literal, no port ("127.0.0.1", "::1"); empty if unknown

    std::optional<std::string> Query(std::string_view name) const;
    std::string_view Param(std::string_view name) const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
};

Response JsonResponse(int status, const boost::json::value& body);
Response TextResponse(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
Response EmptyResponse(int status);

// A request target taken apart (RFC 9112 §3.2): origin-form "/a/b?x=1" or absolute-form
// "http://host:8080/a/b?x=1", which a server must accept too.
struct Target {
    std::string path;                                        // percent-decoded: "/a/b"
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
    std::string origin_form;                                 // path and query as received: "/a/b?x=1"
    std::optional<std::string> authority;                    // "host:8080" of an absolute-form target
};

// Parses a request target; nullopt when it is malformed, is neither origin- nor absolute-form (http
// or https, no userinfo), or has a "." or ".." path segment, percent-encoded or not: such a path
// could slip past a prefix check ("/public/../admin") and is refused rather than normalized.
std::optional<Target> ParseTarget(std::string_view target);

// Splits "/a/b?x=1&y=%20" into a decoded path and query pairs; nullopt when ParseTarget refuses it.
std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> SplitTarget(
    std::string_view target);

}  // namespace reservo::http
