#include "kit/http/hal.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>

namespace reservo::http {
namespace {

Result<int64_t> QueryInt(const Request& req, std::string_view name, int64_t fallback, int64_t min, int64_t max) {
    auto v = req.Query(name);
    if (!v) return fallback;
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size() || out < min || out > max) {
        return Fail(Code::kInvalidArgument, std::string(name) + ": expected a whole number from " +
                                                std::to_string(min) + " to " + std::to_string(max));
    }
    return out;
}

// A TCP port 1..65535 written as plain digits.
std::optional<unsigned> PortNumber(std::string_view port) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || port.size() > 5 || ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535) {
        return std::nullopt;
    }
    return n;
}

// A host[:port] fit for links: no userinfo, a DNS-style name or an IP literal, a port 1..65535.
bool IsLinkAuthority(std::string_view text) {
    auto a = boost::urls::parse_authority(text);
    if (!a || a->has_userinfo() || a->encoded_host().empty()) return false;
    if (a->host_type() == boost::urls::host_type::ipvfuture) return false;
    if (a->host_type() == boost::urls::host_type::name) {
        for (char c : a->encoded_host()) {  // unreserved only: no %-escapes, no sub-delims
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
            if (!ok) return false;
        }
    }
    if (a->has_port()) {
        if (!PortNumber(a->port())) return false;
    }
    return true;
}

boost::json::array Embed(const Request& req, std::string_view collection, std::vector<boost::json::object> items) {
    boost::json::array arr;
    for (auto& item : items) {
        int64_t id = item.at("id").to_number<int64_t>();
        arr.push_back(WithLinks(req, collection, id, std::move(item)));
    }
    return arr;
}

boost::json::object PageInfo(const PageRequest& page, int64_t total) {
    int64_t pages = (total + page.size - 1) / page.size;
    return {{"size", page.size}, {"totalElements", total}, {"totalPages", pages}, {"number", page.page}};
}

// The request's own URL with `page=n` (and its size, sort and any other parameters as they were).
std::string PageHref(const Request& req, int64_t n, int64_t size) {
    std::string href = BaseUrl(req);
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) return href + "/";
    href.append(url->encoded_path());
    std::string query;
    for (auto param : url->encoded_params()) {
        if (param.key == "page" || param.key == "size") continue;
        query.append(query.empty() ? "?" : "&").append(param.key);
        if (param.has_value) query.append("=").append(param.value);
    }
    query.append(query.empty() ? "?" : "&").append("page=").append(std::to_string(n));
    query.append("&size=").append(std::to_string(size));
    return href + query;
}

// first, prev, next and last, when the result spans more than one page.
void AddPageLinks(const Request& req, const PageRequest& page, int64_t total, boost::json::object& links) {
    const int64_t pages = (total + page.size - 1) / page.size;
    if (pages <= 1) return;
    links["first"] = {{"href", PageHref(req, 0, page.size)}};
    if (page.page > 0) links["prev"] = {{"href", PageHref(req, std::min(page.page, pages) - 1, page.size)}};
    if (page.page + 1 < pages) links["next"] = {{"href", PageHref(req, page.page + 1, page.size)}};
    links["last"] = {{"href", PageHref(req, pages - 1, page.size)}};
}

}  // namespace

std::string Singular(std::string_view collection) {
    std::string s(collection);
    if (s.ends_with("ies")) return s.substr(0, s.size() - 3) + "y";
    if (s.ends_with("s")) s.pop_back();
    return s;
}

Result<PageRequest> ParsePage(const Request& req, std::initializer_list<std::string_view> sortable) {
    PageRequest out;
    auto page = QueryInt(req, "page", 0, 0, 1'000'000'000);
    if (!page) return Fail(page.error());
    auto size = QueryInt(req, "size", 20, 1, kMaxPageSize);
    if (!size) return Fail(size.error());
    out.page = *page;
    out.size = *size;
    if (auto sort = req.Query("sort"); sort && !sort->empty()) {
        std::string field = *sort;
        if (auto comma = field.find(','); comma != std::string::npos) {
            std::string dir = field.substr(comma + 1);
            field.resize(comma);
            if (dir == "desc" || dir == "DESC")
                out.descending = true;
            else if (dir != "asc" && dir != "ASC")
                return Fail(Code::kInvalidArgument, "sort: direction is asc or desc");
        }
        bool allowed = false;
        for (auto s : sortable) allowed = allowed || s == field;
        if (!allowed) return Fail(Code::kInvalidArgument, "sort: cannot sort by '" + field + "'");
        out.sort = field;
    }
    return out;
}

std::string BaseUrl(const Request& req) {
    // Headers are client input until the gateway vouches for them: only values that cannot change
    // what a link points at beyond scheme and authority get through.
    auto proto = req.headers.Find("X-Forwarded-Proto");
    std::string_view scheme = proto && (*proto == "http" || *proto == "https") ? *proto : "http";
    auto host = req.headers.Find("X-Forwarded-Host");
    if (!host) host = req.headers.Find("Host");
    std::string_view authority = host && IsLinkAuthority(*host) ? *host : "localhost";
    auto port = req.headers.Find("X-Forwarded-Port");
    return std::string(scheme) + "://" + (port ? WithPort(authority, *port, scheme) : std::string(authority));
}

std::string WithPort(std::string_view authority, std::string_view port, std::string_view scheme) {
    auto a = boost::urls::parse_authority(authority);
    auto n = PortNumber(port);
    if (!a || !n) return std::string(authority);
    std::string out(a->encoded_userinfo());
    if (a->has_userinfo()) out.push_back('@');
    out.append(a->encoded_host());
    if (*n != (scheme == "https" ? 443u : 80u)) out.append(":").append(port);
    return out;
}

boost::json::object WithLinks(const Request& req, std::string_view collection, int64_t id, boost::json::object entity) {
    std::string href = BaseUrl(req) + "/" + std::string(collection) + "/" + std::to_string(id);
    entity["id"] = id;
    entity["_links"] = boost::json::object{{"self", {{"href", href}}}, {Singular(collection), {{"href", href}}}};
    return entity;
}

Response HalResponse(int status, const boost::json::value& body) {
    Response r = JsonResponse(status, body);
    r.headers.Set("Content-Type", "application/hal+json");
    return r;
}

Response EntityResponse(const Request& req, int status, std::string_view collection, int64_t id,
                        boost::json::object entity) {
    return HalResponse(status, WithLinks(req, collection, id, std::move(entity)));
}

Response CreatedResponse(const Request& req, std::string_view collection, int64_t id, boost::json::object entity) {
    Response r = EntityResponse(req, 201, collection, id, std::move(entity));
    r.headers.Set("Location", BaseUrl(req) + "/" + std::string(collection) + "/" + std::to_string(id));
    return r;
}

Response CollectionResponse(const Request& req, std::string_view collection, std::vector<boost::json::object> items,
                            const PageRequest& page, int64_t total) {
    const std::string base = BaseUrl(req);
    const std::string self = base + "/" + std::string(collection);
    boost::json::object links{{"self", {{"href", self + "{?page,size,sort}"}, {"templated", true}}}};
    AddPageLinks(req, page, total, links);
    links["profile"] = {{"href", base + "/profile/" + std::string(collection)}};
    links["search"] = {{"href", self + "/search"}};
    boost::json::object body{{"_embedded", {{collection, Embed(req, collection, std::move(items))}}},
                             {"_links", std::move(links)},
                             {"page", PageInfo(page, total)}};
    return HalResponse(200, body);
}

Response SearchResponse(const Request& req, std::string_view collection, std::vector<boost::json::object> items,
                        const PageRequest& page, int64_t total) {
    boost::json::object links{{"self", {{"href", BaseUrl(req) + req.target}}}};
    AddPageLinks(req, page, total, links);
    boost::json::object body{{"_embedded", {{collection, Embed(req, collection, std::move(items))}}},
                             {"_links", std::move(links)},
                             {"page", PageInfo(page, total)}};
    return HalResponse(200, body);
}

Result<int64_t> ParseId(std::string_view text) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
        return Fail(Code::kNotFound, "no entity with id '" + std::string(text) + "'");
    }
    return id;
}

}  // namespace reservo::http
