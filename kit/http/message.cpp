#include "kit/http/message.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

namespace reservo::http {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

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

std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> SplitTarget(
    std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    std::string path = url->path();
    std::vector<std::pair<std::string, std::string>> query;
    for (auto param : url->params()) {
        query.emplace_back(param.key, param.has_value ? param.value : std::string());
    }
    return std::make_pair(std::move(path), std::move(query));
}

}  // namespace reservo::http
