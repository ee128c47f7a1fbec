#include "kit/http/message.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

namespace reservo::http {
bool IEquals(std::string_view a, std::string_view b) {
    // ASCII only, as RFC 9110 field names are: no locale lookup per character.
    auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return fold(x) == fold(y); });
}

std::optional<std::string_view> Headers::Find(std::string_view name) const {
    for (const auto& [k, v] : fields_) {
        if (IEquals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

void Headers::Set(std::string_view name, std::string value) {
    Remove(name);
    fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::Add(std::string_view name, std::string value) {
    fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
    std::erase_if(fields_, [&](const auto& f) { return IEquals(f.first, name); });
}

std::optional<std::string> Request::Query(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return v;
    }
    return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string_view() : std::string_view(it->second);
}

Response JsonResponse(int status, const boost::json::value& body) {
    Response r;
    r.status = status;
    r.headers.Set("Content-Type", "application/json");
    r.body = boost::json::serialize(body);
    return r;
}

Response TextResponse(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.headers.Set("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

Response EmptyResponse(int status) {
    Response r;
    r.status = status;
    return r;
}

namespace {

// True when a segment of the decoded path is "." or "..". Checking the decoded path also catches
// "%2e%2e" and segments joined by an encoded slash ("/a%2f..%2fb").
bool HasDotSegment(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view segment = path.substr(start, end - start);
        if (segment == "." || segment == "..") return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

std::optional<Target> ParseTarget(std::string_view target) {
    // A URI is visible ASCII. Checked first also because Boost.URL 1.81 asserts on some other bytes
    // ("http:\xc7") in debug builds, and Beast lets them through.
    if (std::any_of(target.begin(), target.end(), [](char c) { return c <= ' ' || c >= '\x7f'; })) return std::nullopt;
    Target out;
    boost::urls::url_view url;
    if (!target.empty() && target.front() == '/') {
        auto parsed = boost::urls::parse_origin_form(target);
        if (!parsed) return std::nullopt;
        url = *parsed;
        out.origin_form = std::string(target);
    } else {
        // Only http(s) with an authority is served; checking the prefix first also keeps odd schemes
        // away from Boost.URL 1.81, which asserts on some ("h4:#") in debug builds.
        auto starts = [&](std::string_view prefix) {
            return target.size() > prefix.size() && IEquals(target.substr(0, prefix.size()), prefix);
        };
        if (!starts("http://") && !starts("https://")) return std::nullopt;
        auto parsed = boost::urls::parse_absolute_uri(target);
        if (!parsed) return std::nullopt;
        url = *parsed;
        auto scheme = url.scheme_id();
        if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return std::nullopt;
        // RFC 9110 §4.2.1: an http URI without a host is invalid; §4.2.4: userinfo is an error.
        if (!url.has_authority() || url.encoded_host().empty() || url.has_userinfo()) return std::nullopt;
        out.authority = std::string(url.encoded_authority());
        std::string_view path = url.encoded_path();
        if (!path.empty() && path.front() != '/') return std::nullopt;  // path-abempty (RFC 3986 §3.3)
        out.origin_form.assign(path.empty() ? std::string_view("/") : path);
        if (url.has_query()) {
            std::string_view query = url.encoded_query();
            out.origin_form.push_back('?');
            out.origin_form.append(query);
        }
    }
    out.path = url.encoded_path().empty() ? std::string(1, '/') : url.path();
    if (HasDotSegment(out.path)) return std::nullopt;
    for (auto param : url.params()) {
        out.query.emplace_back(param.key, param.has_value ? param.value : std::string());
    }
    return out;
}

std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> SplitTarget(
    std::string_view target) {
    auto parsed = ParseTarget(target);
    if (!parsed) return std::nullopt;
    return std::make_pair(std::move(parsed->path), std::move(parsed->query));
}

}  // namespace reservo::http
