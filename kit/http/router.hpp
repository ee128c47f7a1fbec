// Routes requests by method and path pattern to handlers.
//
//   Router router;
//   router.Get("/vaccineMgmts/{id}", [&](Request& req) { return Show(req.Param("id")); });
//   router.PostAsync("/reservations", [&](Request& req) -> Awaitable<Response> { co_return co_await ...; });
//   router.Any("/reservations/**", proxy);   // prefix match, used by the gateway
//
// Literal segments win over `{variables}`, which win over `/**`. An unknown path is 404 and
// a known path with another method is 405, both as problem+json.
#pragma once

#include <any>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kit/http/message.hpp"

namespace reservo::http {

template <class T>
using Awaitable = boost::asio::awaitable<T>;

using Handler = std::function<Response(Request&)>;
using AsyncHandler = std::function<Awaitable<Response>(Request&)>;
// Runs a synchronous handler (e.g. on a fiber, so the store calls it makes never block the loop).
using SyncRunner = std::function<Awaitable<Response>(const Handler&, Request&)>;

class Router final {
  public:
    void Add(std::string_view method, std::string_view pattern, Handler handler);
    void AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler);

    void Get(std::string_view p, Handler h) { Add("GET", p, std::move(h)); }
    void Post(std::string_view p, Handler h) { Add("POST", p, std::move(h)); }
    void Put(std::string_view p, Handler h) { Add("PUT", p, std::move(h)); }
    void Patch(std::string_view p, Handler h) { Add("PATCH", p, std::move(h)); }
    void Delete(std::string_view p, Handler h) { Add("DELETE", p, std::move(h)); }
    void PostAsync(std::string_view p, AsyncHandler h) { AddAsync("POST", p, std::move(h)); }
    void PutAsync(std::string_view p, AsyncHandler h) { AddAsync("PUT", p, std::move(h)); }
    void PatchAsync(std::string_view p, AsyncHandler h) { AddAsync("PATCH", p, std::move(h)); }
    void DeleteAsync(std::string_view p, AsyncHandler h) { AddAsync("DELETE", p, std::move(h)); }
    void Any(std::string_view p, AsyncHandler h) { AddAsync("*", p, std::move(h)); }

    // Synchronous handlers run through `runner` from now on, instead of being called in place.
    void RunSyncWith(SyncRunner runner) { sync_runner_ = std::move(runner); }

    // State that layers above keep per router, by name (e.g. the collections a service exposes, for
    // its root index); empty until set.
    std::any& Extension(const std::string& name) { return extensions_[name]; }

    // Every route as (method, pattern), in the order added; "*" for a route of every method.
    std::vector<std::pair<std::string, std::string>> Routes() const {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
        return out;
    }

    // Whether a request with this method and path would find a route.
    bool Handles(std::string_view method, std::string_view path) const;

    // Finds the route, fills req.params and req.route (the pattern, for metrics labels), and runs it.
    Awaitable<Response> Dispatch(Request& req) const;

  private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        bool prefix = false;
        int specificity = 0;
        Handler sync;
        AsyncHandler async;
    };
    const Route* Match(std::string_view method, std::string_view path, Request* fill, bool* path_known) const;
    void Insert(Route route);
    // The methods routed for `path`, for the Allow header of a 405.
    std::string AllowedMethods(std::string_view path) const;

    std::vector<Route> routes_;
    SyncRunner sync_runner_;
    std::map<std::string, std::any> extensions_;
};

}  // namespace reservo::http
