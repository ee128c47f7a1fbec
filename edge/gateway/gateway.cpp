#include "edge/gateway/gateway.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <map>
#include <optional>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "kit/http/client.hpp"
#include "kit/http/problem.hpp"
#include "kit/resilience/rate_limiter.hpp"
#include "kit/service/topology.hpp"

namespace reservo::edge {
namespace {

constexpr std::array<std::string_view, 8> kHopByHop = {"Connection",          "Keep-Alive", "Proxy-Authenticate",
                                                       "Proxy-Authorization", "TE",         "Trailer",
                                                       "Transfer-Encoding",   "Upgrade"};

bool IsHopByHop(std::string_view name) {
    for (auto h : kHopByHop) {
        if (name.size() == h.size() && strncasecmp(name.data(), h.data(), h.size()) == 0) return true;
    }
    return false;
}

class Gateway final {
  public:
    Gateway(service::ServiceContext& ctx) : ctx_(ctx) {
        timeout_ = std::chrono::milliseconds(ctx.config().GetInt("gateway.timeout-ms", 5000));
        cors_origin_ = ctx.config().GetString("gateway.cors.allowed-origins", "*");
        access_log_ = ctx.config().GetBool("gateway.access-log", true);
        double rate = ctx.config().GetDouble("gateway.rate-limit.requests-per-second", 0);
        if (rate > 0) {
            double burst = ctx.config().GetDouble("gateway.rate-limit.burst", 0);
            limiter_.emplace(rate, burst > 0 ? burst : rate);
            ctx.metrics().Gauge("gateway_rate_limited_total", "Requests refused by the gateway's rate limit", {},
                                [this] { return static_cast<double>(limiter_->rejected()); });
        }
    }

    Status Wire() {
        const Config& cfg = ctx_.config();
        int base = static_cast<int>(cfg.GetInt("runtime.port-base", -1));
        for (const auto& svc : cfg.Children("services")) {
            auto client = std::make_shared<http::Client>(ctx_.io(), service::ServiceUrl(cfg, svc, base));
            for (const auto& route : cfg.GetList("services." + svc + ".routes")) {
                // CORS preflight is answered here; unknown paths stay 404.
                ctx_.router().Add("OPTIONS", route, [this](http::Request& req) { return Preflight(req); });
                ctx_.router().Any(route, [this, client, svc](http::Request& req) { return Proxy(req, *client, svc); });
            }
        }
        return Ok();
    }

  private:
    http::Response Preflight(const http::Request& req) {
        http::Response res = http::EmptyResponse(204);
        res.headers.Set("Access-Control-Allow-Origin", cors_origin_);
        res.headers.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        res.headers.Set("Access-Control-Allow-Headers",
                        std::string(req.headers.Find("Access-Control-Request-Headers").value_or("*")));
        res.headers.Set("Access-Control-Max-Age", "3600");
        return res;
    }

    http::Awaitable<http::Response> Proxy(http::Request& req, http::Client& upstream, const std::string& svc) {
        if (limiter_ && !limiter_->TryAcquire()) {
            http::Response limited =
                http::Problem(429, "Too Many Requests", "the gateway's request rate limit is reached");
            auto ms = std::max<int64_t>(1, limiter_->RetryAfter().count());
            limited.headers.Set("Retry-After", std::to_string((ms + 999) / 1000));
            limited.headers.Set("Access-Control-Allow-Origin", cors_origin_);
            co_return limited;
        }
        auto start = SteadyClock::now();
        std::string request_id(req.headers.Find("X-Request-Id").value_or(""));
        auto incoming_trace = req.headers.Find("traceparent");
        bool trace_ok = incoming_trace && trace::IsValid(*incoming_trace);
        std::optional<std::string> host;
        if (auto h = req.headers.Find("Host")) host = std::string(*h);
        bool has_proto = req.headers.Find("X-Forwarded-Proto").has_value();

        http::Request out;
        out.method = req.method;
        out.target = req.target;
        out.headers = std::move(req.headers);  // forwarded as received, less the hop-by-hop fields
        out.headers.RemoveIf(IsHopByHop);
        if (request_id.empty()) {
            request_id = RandomHexId(16);
            out.headers.Set("X-Request-Id", request_id);
        }
        if (!trace_ok) out.headers.Set("traceparent", trace::NewTraceparent());
        if (host) out.headers.Set("X-Forwarded-Host", std::move(*host));
        if (!has_proto) out.headers.Set("X-Forwarded-Proto", "http");
        out.body = std::move(req.body);

        // Replayed after a dropped connection only when the method makes it safe: the services do not
        // deduplicate by Idempotency-Key, so the gateway does not promise it.
        const bool replayable = out.method == "GET" || out.method == "HEAD" || out.method == "OPTIONS";
        auto result = co_await upstream.Send(std::move(out), timeout_, replayable);
        http::Response res;
        if (!result) {
            res = http::Unavailable(svc + " is unavailable: " + result.error().message, 1000);
        } else {
            res.status = result->status;
            res.body = std::move(result->body);
            res.headers = std::move(result->headers);
            res.headers.RemoveIf([](std::string_view k) {
                return IsHopByHop(k) || (k.size() == 14 && strncasecmp(k.data(), "Content-Length", 14) == 0);
            });
        }
        res.headers.Set("X-Request-Id", request_id);
        res.headers.Set("Access-Control-Allow-Origin", cors_origin_);
        if (access_log_) {
            auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
            log::Info("access", {{"method", req.method},
                                 {"target", req.target},
                                 {"status", std::to_string(res.status)},
                                 {"upstream", svc},
                                 {"micros", std::to_string(us)},
                                 {"requestId", request_id}});
        }
        co_return res;
    }

    service::ServiceContext& ctx_;
    std::chrono::milliseconds timeout_{5000};
    std::string cors_origin_;
    bool access_log_ = true;
    std::optional<RateLimiter> limiter_;  // gateway.rate-limit.*; off unless requests-per-second > 0
};

}  // namespace

service::ServiceModule GatewayModule(const std::string& system) {
    return service::ServiceModule{
        .system = system,
        .name = "gateway",
        .migrations = {},
        .wire = [](service::ServiceContext& ctx) -> Status {
            auto gw = std::make_shared<Gateway>(ctx);
            // The gateway lives as long as the process; its routes hold it.
            static std::vector<std::shared_ptr<Gateway>> keep;
            keep.push_back(gw);
            return gw->Wire();
        },
        .uses_store = false,
        .uses_events = false,
    };
}

}  // namespace reservo::edge
