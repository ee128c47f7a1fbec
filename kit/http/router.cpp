#include "kit/http/router.hpp"

#include <algorithm>

#include "kit/http/problem.hpp"

namespace reservo::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace

void Router::Insert(Route route) {
    for (auto seg : SplitPath(route.pattern)) {
        if (seg == "**") {
            route.prefix = true;
            break;
        }
        route.segments.emplace_back(seg);
    }
    // Higher specificity first: literals count 2, variables 1; prefix routes last.
    for (const auto& s : route.segments) route.specificity += s.starts_with('{') ? 1 : 2;
    if (route.prefix) route.specificity -= 1000;
    routes_.push_back(std::move(route));
    std::stable_sort(routes_.begin(), routes_.end(),
                     [](const Route& a, const Route& b) { return a.specificity > b.specificity; });
}

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
    Insert(Route{.method = std::string(method), .pattern = std::string(pattern), .sync = std::move(handler)});
}

void Router::AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler) {
    Insert(Route{.method = std::string(method), .pattern = std::string(pattern), .async = std::move(handler)});
}

bool Router::Handles(std::string_view method, std::string_view path) const {
    bool known = false;
    return Match(method, path, nullptr, &known) != nullptr;
}

const Router::Route* Router::Match(std::string_view method, std::string_view path, Request* fill,
                                   bool* path_known) const {
    auto segs = SplitPath(path);
    *path_known = false;
    for (const auto& r : routes_) {
        if (r.prefix ? segs.size() < r.segments.size() : segs.size() != r.segments.size()) continue;
        bool ok = true;
        for (size_t i = 0; i < r.segments.size() && ok; ++i) {
            ok = r.segments[i].starts_with('{') ? !segs[i].empty() : r.segments[i] == segs[i];
        }
        if (!ok) continue;
        *path_known = true;
        if (r.method != "*" && r.method != method) continue;
        if (fill) {
            for (size_t i = 0; i < r.segments.size(); ++i) {
                const auto& s = r.segments[i];
                if (s.starts_with('{')) fill->params[s.substr(1, s.size() - 2)] = std::string(segs[i]);
            }
        }
        return &r;
    }
    return nullptr;
}

std::string Router::AllowedMethods(std::string_view path) const {
    std::string allow;
    for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        bool known = false;
        if (Match(m == "HEAD" ? "GET" : m, path, nullptr, &known)) {  // HEAD is served as GET
            allow += (allow.empty() ? "" : ", ") + std::string(m);
        }
    }
    return allow;
}

Awaitable<Response> Router::Dispatch(Request& req) const {
    bool path_known = false;
    const Route* route = Match(req.method, req.path, &req, &path_known);
    req.route = route ? std::string_view(route->pattern) : std::string_view("unmatched");
    if (!route) {
        if (path_known) {
            Response res = Problem(405, "Method Not Allowed", req.method + " is not supported on " + req.path);
            res.headers.Set("Allow", AllowedMethods(req.path));
            co_return res;
        }
        co_return Problem(404, "Not Found", "no resource at " + req.path);
    }
    if (route->sync && sync_runner_) co_return co_await sync_runner_(route->sync, req);
    if (route->sync) co_return route->sync(req);
    co_return co_await route->async(req);
}

}  // namespace reservo::http
