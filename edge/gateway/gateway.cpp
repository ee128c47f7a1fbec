#include "edge/gateway/gateway.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <map>
#include <optional>

#include "edge/gateway/address_list.hpp"
#include "edge/gateway/bearer_guard.hpp"
#include "edge/gateway/console.hpp"
#include "kit/core/clock.hpp"
#include "kit/core/deadline.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "kit/core/try.hpp"
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/resilience/rate_limiter.hpp"
#include "kit/service/access_log.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/openapi.hpp"
#include "kit/service/topology.hpp"

namespace reservo::edge {
namespace {

constexpr std::array<std::string_view, 8> kHopByHop = {"Connection",          "Keep-Alive", "Proxy-Authenticate",
                                                       "Proxy-Authorization", "TE",         "Trailer",
                                                       "Transfer-Encoding",   "Upgrade"};
// Set by the gateway alone: a client's copies would let it speak for the gateway.
// So are the identity headers of a verified token (bearer_guard.hpp).
constexpr std::array<std::string_view, 9> kGatewayOwned = {"X-Forwarded-For",  "X-Forwarded-Host", "X-Forwarded-Proto",
                                                           "X-Forwarded-Port", "Forwarded",        deadline::kHeader,
                                                           kSubjectHeader,     kClientHeader,      kScopesHeader};

bool IsHopByHop(std::string_view name) {
    return std::any_of(kHopByHop.begin(), kHopByHop.end(), [&](auto h) { return http::IEquals(name, h); });
}

// A request id a client may choose: short, and nothing a log or a header could be split on.
bool IsGoodRequestId(std::string_view id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
    });
}

// host[:port] as RFC 3986 defines an authority, without userinfo.
bool IsGoodHost(std::string_view host) {
    auto authority = boost::urls::parse_authority(host);
    return authority && !authority->has_userinfo() && !authority->host().empty();
}

// The port a client reached `host` on: its own, else the scheme's default.
std::string PortOf(std::string_view host, std::string_view proto) {
    auto authority = boost::urls::parse_authority(host);
    if (authority && authority->has_port()) return std::string(authority->port());
    return proto == "https" ? "443" : "80";
}

std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

// One service behind the gateway.
struct Upstream {
    std::string name;
    std::string url;
    CallPolicy policy;                  // gateway.upstream, with the route's timeout
    std::vector<std::string> routes;    // services.<name>.routes
    std::vector<std::string> internal;  // services.<name>.internal: never routed ("/path" or "POST /path")
};

// Everything the gateway reads from the configuration, read in one place when it is wired.
// `reservo serve` validated the configuration first, so none of these reads fails there.
struct GatewaySettings {
    std::vector<std::string> trusted_proxies;
    std::vector<std::string> allowed_origins;
    std::vector<std::string> allowed_headers;
    std::vector<std::string> allowed_methods;
    bool access_log = false;
    double requests_per_second = 0;  // 0: no rate limit
    double burst = 0;                // 0: one second of the rate
    std::vector<Upstream> upstreams;
    // gateway.auth: every route needs a bearer token, except those of the token service.
    std::optional<BearerSettings> auth;
    std::string token_service;  // gateway.auth.token-service
    ConsoleSettings console;    // gateway.console.*
};

Result<GatewaySettings> ReadGatewaySettings(const Config& cfg) {
    GatewaySettings s;
    s.trusted_proxies = RESERVO_TRY(cfg.RequireList("gateway.trusted-proxies"));
    s.allowed_origins = RESERVO_TRY(cfg.RequireList("gateway.cors.allowed-origins"));
    s.allowed_headers = RESERVO_TRY(cfg.RequireList("gateway.cors.allowed-headers"));
    s.allowed_methods = RESERVO_TRY(cfg.RequireList("gateway.cors.allowed-methods"));
    s.access_log = RESERVO_TRY(cfg.RequireBool("logging.access"));
    s.requests_per_second = RESERVO_TRY(cfg.RequireDouble("gateway.rate-limit.requests-per-second"));
    s.burst = RESERVO_TRY(cfg.RequireDouble("gateway.rate-limit.burst"));
    s.console.enabled = RESERVO_TRY(cfg.RequireBool("gateway.console.enabled"));
    s.console.operators = RESERVO_TRY(cfg.RequireList("gateway.console.operators"));
    if (cfg.Find("gateway.auth.issuer")) {
        s.auth = BearerSettings{
            .realm = RESERVO_TRY(cfg.RequireString("system")),
            .issuer = RESERVO_TRY(cfg.RequireString("gateway.auth.issuer")),
            .audience = RESERVO_TRY(cfg.RequireString("gateway.auth.audience")),
            .read_scope = RESERVO_TRY(cfg.RequireString("gateway.auth.read-scope")),
            .write_scope = RESERVO_TRY(cfg.RequireString("gateway.auth.write-scope")),
            .clock_skew = RESERVO_TRY(cfg.RequireMillis("gateway.auth.clock-skew-ms")),
            .jwks_refresh = RESERVO_TRY(cfg.RequireMillis("gateway.auth.jwks-refresh-ms")),
        };
        s.token_service = RESERVO_TRY(cfg.RequireString("gateway.auth.token-service"));
    }
    const Millis default_timeout = RESERVO_TRY(cfg.RequireMillis("gateway.timeout-ms"));
    const int base = static_cast<int>(cfg.GetInt("runtime.port-base", -1));  // -1: gateway.port
    for (const auto& svc : cfg.Children("services")) {
        const std::string key = "services." + svc;
        // A service may give its routes a timeout of their own (a read: no reason to wait long).
        const Millis timeout = cfg.Find(key + ".route-timeout-ms")
                                   ? RESERVO_TRY(cfg.RequireMillis(key + ".route-timeout-ms"))
                                   : default_timeout;
        s.upstreams.push_back(Upstream{
            .name = svc,
            .url = RESERVO_TRY(service::UrlOf(cfg, svc, base)),
            .policy = RESERVO_TRY(CallPolicy::ForProxy(cfg, "gateway.upstream", timeout)),
            .routes = cfg.GetList(key + ".routes"),      // optional: a service reached only by others
            .internal = cfg.GetList(key + ".internal"),  // optional
        });
    }
    return s;
}

class Gateway final {
  public:
    Gateway(service::ServiceContext& ctx, GatewaySettings settings)
        : ctx_(ctx),
          settings_(std::move(settings)),
          trusted_(settings_.trusted_proxies, "gateway.trusted-proxies"),
          allowed_headers_(Join(settings_.allowed_headers)),
          allowed_methods_(Join(settings_.allowed_methods)) {
        if (settings_.requests_per_second > 0) {
            limiter_.emplace(settings_.requests_per_second,
                             settings_.burst > 0 ? settings_.burst : settings_.requests_per_second);
            ctx.metrics().CounterFrom("reservo_gateway_rate_limited_total",
                                      "Requests refused by the gateway's rate limit", {},
                                      [this] { return static_cast<double>(limiter_->rejected()); });
        }
    }

    Status Wire() {
        for (const Upstream& svc : settings_.upstreams) {
            // One breaker and bulkhead per upstream: a hung service fails fast instead of holding
            // every client for the whole timeout. Its 5xx answers are passed on, not held against it.
            auto upstream = std::make_shared<service::Dependency>(ctx_.io(), svc.name, svc.url, svc.policy,
                                                                  ctx_.metrics(), ctx_.loop_watch());
            upstreams_.push_back(upstream);
            ctx_.ShowInHealth(*upstream);
            if (settings_.auth && svc.name == settings_.token_service) {
                guard_ = std::make_unique<BearerGuard>(ctx_.io(), *settings_.auth, *upstream, ctx_.metrics());
            }
            // The token service's own routes (the token endpoint, the key set) are open to all.
            const bool guarded = settings_.auth && svc.name != settings_.token_service;
            for (const auto& route : svc.routes) {  // the routes hold `upstream`
                // CORS preflight is answered here; unknown paths stay 404.
                ctx_.router().Add("OPTIONS", route, [this](http::Request& req) { return Preflight(req); });
                ctx_.router().Any(route, [this, upstream, guarded](http::Request& req) {
                    return Proxy(req, *upstream, upstream->policy().timeout, guarded);
                });
            }
            // Service-to-service endpoints (such as taking a dose) are never reachable from outside.
            // An entry is a path (every method) or "METHOD /path" (that method only).
            for (const auto& internal : svc.internal) {
                const size_t space = internal.find(' ');
                const std::string method = space == std::string::npos ? "*" : internal.substr(0, space);
                const std::string path = space == std::string::npos ? internal : internal.substr(space + 1);
                ctx_.router().AddAsync(method, path, [this](http::Request& req) -> http::Awaitable<http::Response> {
                    http::Response res = http::Problem(404, "", "no resource at " + req.path);
                    Decorate(req, res);
                    co_return res;
                });
            }
        }
        ctx_.router().AddAsync("GET", "/v3/api-docs", [this](http::Request& req) -> http::Awaitable<http::Response> {
            http::Response res = co_await ApiDocs();
            Decorate(req, res);
            co_return res;
        });
        if (!ctx_.router().Handles("GET", "/")) {
            ctx_.router().Get("/", [this](http::Request& req) {
                http::Response res = Index(req);
                Decorate(req, res);
                return res;
            });
        }
        std::vector<ConsoleService> services;
        std::vector<const service::Dependency*> breakers;
        for (size_t i = 0; i < upstreams_.size(); ++i) {
            services.push_back({settings_.upstreams[i].name, settings_.upstreams[i].url});
            breakers.push_back(upstreams_[i].get());
        }
        console_ =
            std::make_unique<Console>(ctx_, settings_.console, std::move(services), trusted_, std::move(breakers));
        console_->Wire();
        if (settings_.auth && !guard_) {
            return Fail(Code::kInvalidArgument, "gateway.auth.token-service: '" + settings_.token_service +
                                                    "' is not a service of system '" + ctx_.system() + "'");
        }
        if (guard_) guard_->Start();
        return Ok();
    }

  private:
    // The scheme and host the client used to reach us: its Host, or what a trusted proxy in front of
    // us says (X-Forwarded-Host/-Proto), never an unchecked header.
    std::pair<std::string, std::string> ClientOrigin(const http::Request& req) const {
        std::string host(req.headers.Find("Host").value_or(""));
        std::string proto = "http";
        if (trusted_.Contains(req.remote_address)) {
            if (auto h = req.headers.Find("X-Forwarded-Host"); h && IsGoodHost(*h)) host = std::string(*h);
            if (auto p = req.headers.Find("X-Forwarded-Proto"); p && (*p == "http" || *p == "https")) {
                proto = std::string(*p);
            }
            if (auto port = req.headers.Find("X-Forwarded-Port"); port && IsGoodHost(host)) {
                host = http::WithPort(host, *port, proto);
            }
        }
        return {proto, host};
    }

    // GET /: the system's collections, one link each (from the routes `/<collection>/**`).
    http::Response Index(const http::Request& req) const {
        auto [proto, host] = ClientOrigin(req);
        const std::string base = proto + "://" + (IsGoodHost(host) ? host : std::string("localhost"));
        boost::json::object links;
        for (const Upstream& svc : settings_.upstreams) {
            if (settings_.auth && svc.name == settings_.token_service) continue;  // not a collection
            for (std::string name : svc.routes) {
                if (!name.starts_with("/") || !name.ends_with("/**")) continue;
                name = name.substr(1, name.size() - 4);
                if (name.empty() || name.find('/') != std::string::npos) continue;
                links[name] = {{"href", base + "/" + name + "{?page,size,sort}"}, {"templated", true}};
            }
        }
        return http::HalResponse(200, boost::json::object{{"_links", std::move(links)}});
    }

    // GET /v3/api-docs: the system's API, merged from its services' documents — the operations this
    // gateway routes, less the internal ones. A service that does not answer is named, not fatal.
    http::Awaitable<http::Response> ApiDocs() {
        std::vector<boost::json::object> documents;
        std::vector<std::string> missing;
        for (const auto& upstream : upstreams_) {
            http::Request ask;
            ask.method = "GET";
            ask.target = "/v3/api-docs";
            auto answer = co_await upstream->Call(std::move(ask), /*idempotent=*/true);
            boost::system::error_code ec;
            boost::json::value doc;
            if (answer && answer->status == 200) doc = boost::json::parse(answer->body, ec);
            if (answer && answer->status == 404) continue;  // a service without resources (the token service)
            if (!answer || answer->status != 200 || ec || !doc.is_object()) {
                missing.push_back(upstream->name());
                continue;
            }
            documents.push_back(std::move(doc.as_object()));
        }
        boost::json::object merged = service::MergeOpenApi(
            ctx_.system(), documents,
            [this](std::string_view path, std::string_view method) { return Exposes(path, method); });
        if (!missing.empty()) {
            std::string note = "not included (did not answer):";
            for (const auto& name : missing) note.append(" ").append(name);
            merged["info"].as_object()["description"] = note;
        }
        co_return http::JsonResponse(200, merged);
    }

    // Whether the gateway routes `method path` (a route pattern of a service) to a service, and it
    // is not internal.
    bool Exposes(std::string_view path, std::string_view method) const {
        bool routed = false;
        for (const Upstream& svc : settings_.upstreams) {
            for (const auto& route : svc.routes) {
                if (route.ends_with("/**")) {
                    const std::string_view prefix = std::string_view(route).substr(0, route.size() - 3);
                    routed = routed || path == prefix || path.starts_with(std::string(prefix) + "/");
                } else {
                    routed = routed || path == route;
                }
            }
            for (const auto& internal : svc.internal) {
                const size_t space = internal.find(' ');
                const std::string_view where = space == std::string::npos
                                                   ? std::string_view(internal)
                                                   : std::string_view(internal).substr(space + 1);
                const bool every_method = space == std::string::npos;
                if (where == path && (every_method || ::strncasecmp(internal.data(), method.data(), space) == 0))
                    return false;
            }
        }
        return routed;
    }

    // The Access-Control-Allow-Origin for this request's Origin, if it may have one.
    std::optional<std::string> AllowedOrigin(const http::Request& req) const {
        const auto& origins = settings_.allowed_origins;
        if (std::find(origins.begin(), origins.end(), "*") != origins.end()) return "*";
        auto origin = req.headers.Find("Origin");
        if (!origin) return std::nullopt;
        for (const auto& allowed : origins) {
            if (allowed == *origin) return allowed;
        }
        return std::nullopt;
    }

    void Decorate(const http::Request& req, http::Response& res) const {
        if (auto origin = AllowedOrigin(req)) {
            res.headers.Set("Access-Control-Allow-Origin", *origin);
            if (*origin != "*") res.headers.Set("Vary", "Origin");
        }
    }

    http::Response Preflight(const http::Request& req) {
        http::Response res = http::EmptyResponse(204);
        Decorate(req, res);
        res.headers.Set("Access-Control-Allow-Methods", allowed_methods_);
        res.headers.Set("Access-Control-Allow-Headers", allowed_headers_);
        res.headers.Set("Access-Control-Max-Age", "3600");
        return res;
    }

    http::Awaitable<http::Response> Proxy(http::Request& req, service::Dependency& upstream, Millis timeout,
                                          bool guarded) {
        const std::string& svc = upstream.name();
        if (limiter_ && !limiter_->TryAcquire()) {
            http::Response limited =
                http::Problem(429, "Too Many Requests", "the gateway's request rate limit is reached");
            auto ms = std::max<int64_t>(1, limiter_->RetryAfter().count());
            limited.headers.Set("Retry-After", std::to_string((ms + 999) / 1000));
            Decorate(req, limited);
            co_return limited;
        }
        auto start = SteadyClock::now();
        auto given_id = req.headers.Find("X-Request-Id");
        std::string request_id = given_id && IsGoodRequestId(*given_id) ? std::string(*given_id) : RandomHexId(16);
        const std::string traceparent = trace::Current();  // the client's, or a new one (the host's)

        // Links the services write point at what the client used to reach us.
        const bool trusted = trusted_.Contains(req.remote_address);
        auto [proto, host] = ClientOrigin(req);
        std::string forwarded_for = req.remote_address;
        if (trusted) {
            if (auto f = req.headers.Find("X-Forwarded-For"); f && f->size() < 1024) {
                forwarded_for = std::string(*f) + ", " + req.remote_address;
            }
        }
        if (!IsGoodHost(host)) {
            http::Response bad = http::Problem(400, "", "the Host header is not a valid host[:port]");
            Decorate(req, bad);
            co_return bad;
        }
        Identity who;
        if (guarded) {
            auto refusal = co_await guard_->Admit(req, who);
            trace::SetCurrent(traceparent);
            if (refusal) {
                refusal->headers.Set("X-Request-Id", request_id);
                Decorate(req, *refusal);
                Log(req, *refusal, svc, start, request_id, who);
                co_return std::move(*refusal);
            }
        }

        http::Request out;
        out.method = req.method;
        out.target = req.target;
        out.headers = std::move(req.headers);  // forwarded as received, less hop-by-hop and ours
        out.headers.RemoveIf([](std::string_view name) {
            return IsHopByHop(name) || std::any_of(kGatewayOwned.begin(), kGatewayOwned.end(),
                                                   [&](auto h) { return http::IEquals(name, h); });
        });
        out.headers.Set("X-Request-Id", request_id);
        out.headers.Set("traceparent", trace::ChildOf(traceparent));  // the service's span, under ours
        out.headers.Set("X-Forwarded-Host", host);
        out.headers.Set("X-Forwarded-Proto", proto);
        out.headers.Set("X-Forwarded-Port", PortOf(host, proto));
        out.headers.Set("X-Forwarded-For", forwarded_for);
        if (guarded) {
            out.headers.Set(kSubjectHeader, who.subject);
            out.headers.Set(kClientHeader, who.client);
            out.headers.Set(kScopesHeader, who.scopes);
        }
        out.body = std::move(req.body);

        // The service refuses the request once we no longer wait for it (say it sat in the socket
        // queue of a paused or restarting process), and does not commit work past it.
        out.headers.Set(deadline::kHeader, deadline::ToHeader(start + timeout));
        // Sent again after a dropped connection only when that cannot add an effect.
        const bool replayable = http::Client::IsReplayable(out);
        auto result = co_await upstream.Call(std::move(out), replayable);
        http::Response res;
        if (!result) {
            // Lost in flight: for a method without effects that is still "nothing was done".
            const bool safe = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
            const Code code = result.error().code;
            if (code == Code::kUnavailable || (code == Code::kUnknown && safe)) {
                res = http::Unavailable(svc + " is unavailable; nothing was done", upstream.RetryAfterMs());
            } else {
                res = http::Problem(504, "",
                                    svc +
                                        " did not answer in time; the outcome is unknown (retry with the same "
                                        "Idempotency-Key to learn it without a second effect)");
            }
        } else {
            res.status = result->status;
            res.body = std::move(result->body);
            res.headers = std::move(result->headers);
            res.headers.RemoveIf(
                [](std::string_view k) { return IsHopByHop(k) || http::IEquals(k, "Content-Length"); });
        }
        res.headers.Set("X-Request-Id", request_id);
        Decorate(req, res);
        Log(req, res, svc, start, request_id, who);
        co_return res;
    }

    void Log(const http::Request& req, const http::Response& res, const std::string& svc, SteadyClock::time_point start,
             const std::string& request_id, const Identity& who) const {
        if (!settings_.access_log) return;  // logging.access
        service::LogAccess(req, res, SteadyClock::now() - start, request_id,
                           {{"upstream", svc}, {"subject", who.subject}});
    }

    service::ServiceContext& ctx_;
    const GatewaySettings settings_;
    AddressList trusted_;          // gateway.trusted-proxies: peers whose X-Forwarded-* headers are believed
    std::string allowed_headers_;  // as Access-Control-Allow-Headers says them
    std::string allowed_methods_;
    std::optional<RateLimiter> limiter_;  // gateway.rate-limit.*; off unless requests-per-second > 0
    std::vector<std::shared_ptr<service::Dependency>> upstreams_;
    std::unique_ptr<BearerGuard> guard_;  // with gateway.auth; checks the bearer token of guarded routes
    std::unique_ptr<Console> console_;    // /console and /events
};

}  // namespace

service::ServiceModule GatewayModule(const std::string& system) {
    return service::ServiceModule{
        .system = system,
        .name = "gateway",
        .migrations = {},
        .wire = [](service::ServiceContext& ctx) -> Status {
            auto settings = ReadGatewaySettings(ctx.config());
            if (!settings) return Fail(settings.error());
            auto gw = std::make_shared<Gateway>(ctx, std::move(*settings));
            // The gateway lives as long as the process; its routes hold it.
            static std::vector<std::shared_ptr<Gateway>> keep;
            keep.push_back(gw);
            return gw->Wire();
        },
        .uses_store = false,
        .uses_events = false,
        .reads_events = true,  // /events: the timeline of a correlation key, read from the system's log
        .edge = true,
        .max_body_key = "gateway.max-body-bytes",  // what it takes from the outside
    };
}

}  // namespace reservo::edge
