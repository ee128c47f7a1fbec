#include "edge/gateway/console.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <functional>
#include <map>
#include <optional>

#include "edge/gateway/console_assets.hpp"
#include "edge/gateway/console_views.hpp"
#include "kit/http/client.hpp"
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/event_search.hpp"
#include "kit/service/spawn.hpp"

namespace reservo::edge {
namespace {

namespace asio = boost::asio;
namespace bj = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kPrefix = "/console/";
// Each question to a service waits this long at most, all of them at once: a service that does
// not answer in time is UNREACHABLE rather than a slow page.
constexpr auto kProbeTimeout = 800ms;
// A replay runs the event's handler again on the service: a transaction, no more.
constexpr auto kReplayTimeout = 3s;
// /events reads the newest records of the subject's partition, at most this many, and lists the
// newest matches, at most this many: an operator's look at one flow, not an export of the log.
constexpr int64_t kEventsScanned = 10'000;
constexpr size_t kEventsListed = 500;
constexpr size_t kMaxSubject = 200;

// Runs every task at once on `io` and returns when the last one finished.
http::Awaitable<void> All(asio::io_context& io, std::vector<std::function<http::Awaitable<void>()>> tasks) {
    auto left = std::make_shared<size_t>(tasks.size());
    auto done = std::make_shared<asio::steady_timer>(io, asio::steady_timer::time_point::max());
    for (auto& task : tasks) {
        asio::co_spawn(io, task(), [left, done](std::exception_ptr e) {
            if (e) log::Error("console probe failed", {{"error", service::DescribeException(e)}});
            if (--*left == 0) done->cancel();
        });
    }
    if (*left > 0) co_await done->async_wait(asio::as_tuple(asio::use_awaitable));
}

http::Request Get(std::string target) {
    http::Request req;
    req.method = "GET";
    req.target = std::move(target);
    return req;
}

}  // namespace

struct Console::Impl {
    service::ServiceContext& ctx;
    ConsoleSettings settings;
    std::vector<ConsoleService> services;
    const AddressList& trusted;
    std::vector<const service::Dependency*> upstreams;
    AddressList operators;
    std::vector<std::unique_ptr<http::Client>> clients;  // one per service, in `services` order

    Impl(service::ServiceContext& c, ConsoleSettings s, std::vector<ConsoleService> svcs, const AddressList& t,
         std::vector<const service::Dependency*> ups)
        : ctx(c),
          settings(std::move(s)),
          services(std::move(svcs)),
          trusted(t),
          upstreams(std::move(ups)),
          operators(settings.operators, "gateway.console.operators") {
        for (const auto& svc : services) {
            clients.push_back(
                std::make_unique<http::Client>(ctx.io(), svc.url, http::ClientOptions{.max_idle_connections = 4}));
        }
    }

    // Why this request may not see or change operator data, if it may not.
    std::optional<http::Response> Refuse(const http::Request& req) const {
        const std::string client = ClientAddress(req, trusted);
        if (!operators.Contains(client)) {
            return http::Problem(403, "Forbidden",
                                 "the console's data is for operators: " + (client.empty() ? "this client" : client) +
                                     " is not in gateway.console.operators");
        }
        return std::nullopt;
    }

    // A browser page of another site may send a POST to an operator's own gateway (the peer address
    // is the operator's): a change is taken only from a page of the console's own origin, or from a
    // client that is no browser (no Origin, no Sec-Fetch-Site).
    std::optional<http::Response> RefuseCrossSite(const http::Request& req) const {
        if (auto site = req.headers.Find("Sec-Fetch-Site"); site && *site != "same-origin" && *site != "none") {
            return http::Problem(403, "Forbidden", "a page of another site may not change state through the console");
        }
        auto origin = req.headers.Find("Origin");
        if (!origin) return std::nullopt;
        std::string host(req.headers.Find("Host").value_or(""));
        if (trusted.Contains(req.remote_address)) {
            if (auto forwarded = req.headers.Find("X-Forwarded-Host")) host = std::string(*forwarded);
        }
        auto url = boost::urls::parse_absolute_uri(*origin);
        if (url && !host.empty() && http::IEquals(url->encoded_authority(), host)) return std::nullopt;
        return http::Problem(403, "Forbidden", "a page of another origin may not change state through the console");
    }

    // Wraps an operator endpoint: refused (403) unless the client is an operator.
    http::AsyncHandler ForOperators(http::AsyncHandler handler) {
        return [this, handler = std::move(handler)](http::Request& req) -> http::Awaitable<http::Response> {
            if (auto refused = Refuse(req)) co_return std::move(*refused);
            if (req.method != "GET") {
                if (auto refused = RefuseCrossSite(req)) co_return std::move(*refused);
            }
            co_return co_await handler(req);
        };
    }

    http::Response Asset(const http::Request& req, std::string_view path) const {
        if (path.empty()) path = "index.html";
        for (const ConsoleAsset& asset : ConsoleAssets()) {
            if (asset.path != path) continue;
            http::Response res;
            if (auto tag = req.headers.Find("If-None-Match"); tag && console::IfNoneMatchHits(*tag, asset.etag)) {
                res = http::EmptyResponse(304);
            } else {
                res.status = 200;
                res.body = std::string(asset.bytes);
                res.headers.Set("Content-Type", std::string(console::ContentTypeOf(asset.path)));
            }
            res.headers.Set("ETag", std::string(asset.etag));
            res.headers.Set("Cache-Control", "no-cache");  // revalidated each time: a new build shows at once
            res.headers.Set("X-Content-Type-Options", "nosniff");
            return res;
        }
        return http::Problem(404, "Not Found", "no console file " + std::string(path));
    }

    http::Awaitable<http::Response> Status() {
        std::vector<console::ServiceAnswers> answers(services.size());
        std::vector<std::function<http::Awaitable<void>()>> probes;
        for (size_t i = 0; i < services.size(); ++i) {
            probes.emplace_back([this, i, &answers]() -> http::Awaitable<void> {
                http::Request ask = Get("/actuator/health");
                auto health = co_await clients[i]->Send(std::move(ask), kProbeTimeout);
                if (health) {
                    answers[i].health_status = health->status;
                    answers[i].health_body = std::move(health->body);
                } else {
                    answers[i].health_error = health.error().message;
                }
            });
            probes.emplace_back([this, i, &answers]() -> http::Awaitable<void> {
                http::Request ask = Get("/actuator/prometheus");
                auto metrics = co_await clients[i]->Send(std::move(ask), kProbeTimeout);
                if (metrics && metrics->status == 200) answers[i].prometheus = std::move(metrics->body);
            });
        }
        co_await All(ctx.io(), std::move(probes));
        bj::array out;
        for (size_t i = 0; i < services.size(); ++i)
            out.push_back(console::ServiceStatus(services[i].name, answers[i]));
        bj::array circuits;
        for (const service::Dependency* dep : upstreams) {
            circuits.push_back(bj::object{{"name", dep->name()}, {"state", dep->breaker().StateName()}});
        }
        co_return http::JsonResponse(
            200, bj::object{{"services", std::move(out)}, {"gateway", bj::object{{"circuits", std::move(circuits)}}}});
    }

    http::Awaitable<http::Response> DeadLetters() {
        std::vector<std::optional<bj::array>> listed(services.size());
        std::vector<std::function<http::Awaitable<void>()>> asks;
        for (size_t i = 0; i < services.size(); ++i) {
            asks.emplace_back([this, i, &listed]() -> http::Awaitable<void> {
                http::Request ask = Get("/actuator/deadletters");
                auto answer = co_await clients[i]->Send(std::move(ask), kProbeTimeout);
                if (!answer || answer->status != 200) co_return;
                boost::system::error_code ec;
                bj::value parsed = bj::parse(answer->body, ec);
                if (!ec && parsed.is_array()) listed[i] = std::move(parsed.get_array());
            });
        }
        co_await All(ctx.io(), std::move(asks));
        bj::array letters;
        bj::array unreachable;  // services whose parked events are not listed: they did not answer
        for (size_t i = 0; i < services.size(); ++i) {
            if (!listed[i]) {
                unreachable.emplace_back(services[i].name);
                continue;
            }
            for (const bj::value& letter : *listed[i]) {
                if (letter.is_object())
                    letters.push_back(console::DeadLetterEntry(services[i].name, letter.get_object()));
            }
        }
        co_return http::JsonResponse(
            200, bj::object{{"deadLetters", std::move(letters)}, {"unreachable", std::move(unreachable)}});
    }

    http::Awaitable<http::Response> Replay(const http::Request& req) {
        const std::string name(req.Param("service"));
        size_t i = 0;
        while (i < services.size() && services[i].name != name) ++i;
        if (i == services.size()) {
            co_return http::Problem(404, "Not Found", "system " + ctx.system() + " has no service " + name);
        }
        auto id = http::ParseId(req.Param("id"));
        if (!id) co_return http::ProblemFrom(id.error());
        http::Request ask;
        ask.method = "POST";
        ask.target = "/actuator/deadletters/" + std::to_string(*id) + "/replay";
        auto answer = co_await clients[i]->Send(std::move(ask), kReplayTimeout, /*replayable=*/false);
        if (!answer) {
            if (answer.error().code == Code::kUnavailable) {
                co_return http::Unavailable(name + " is unreachable; nothing was replayed", 1000);
            }
            co_return http::Problem(504, "", name + " did not answer the replay in time; its outcome is unknown");
        }
        http::Response res;
        res.status = answer->status;
        res.body = std::move(answer->body);
        if (auto type = answer->headers.Find("Content-Type")) res.headers.Set("Content-Type", std::string(*type));
        co_return res;
    }

    http::Awaitable<http::Response> Events(const http::Request& req) {
        const std::optional<std::string> subject = req.Query("subject");
        if (!subject || subject->empty() || subject->size() > kMaxSubject) {
            co_return http::Problem(400, "",
                                    "subject: a correlation key of 1 to " + std::to_string(kMaxSubject) +
                                        " characters is required (/events?subject=17)");
        }
        messaging::EventLog* log = ctx.reader_log();
        if (!log) co_return http::Unavailable("the event log cannot be opened now", 1000);
        auto found = co_await service::EventsWithSubject(ctx.io(), *log, ctx.topic(), *subject,
                                                         {.max_scan = kEventsScanned, .max_matches = kEventsListed});
        if (!found) co_return http::ProblemFrom(found.error());
        bj::array out;
        for (const messaging::Record& r : found->records) out.push_back(console::EventEntry(r));
        http::Response res = http::JsonResponse(200, out);
        // The list is a JSON array, as the timeline reads it; what it leaves out is said beside it.
        std::string truncated;
        if (found->older_unscanned) {
            truncated.append("only the newest ")
                .append(std::to_string(kEventsScanned))
                .append(" records of partition ");
            truncated.append(std::to_string(found->partition)).append(" were read; older events are not listed");
        }
        if (found->matches_dropped) {
            truncated.append(truncated.empty() ? "" : "; ").append("only the newest ");
            truncated.append(std::to_string(kEventsListed)).append(" matching events are listed");
        }
        if (!truncated.empty()) res.headers.Set("Reservo-Events-Truncated", std::move(truncated));
        co_return res;
    }
};

Console::Console(service::ServiceContext& ctx, ConsoleSettings settings, std::vector<ConsoleService> services,
                 const AddressList& trusted_proxies, std::vector<const service::Dependency*> upstreams)
    : impl_(std::make_unique<Impl>(ctx, std::move(settings), std::move(services), trusted_proxies,
                                   std::move(upstreams))) {}

Console::~Console() = default;

void Console::Wire() {
    if (!impl_->settings.enabled) return;
    Impl& c = *impl_;
    http::Router& router = c.ctx.router();
    // The router does not tell /console from /console/: the one without the slash moves, so that
    // the pages' relative links resolve under /console/.
    router.Get("/console", [&c](http::Request& req) {
        if (req.path.ends_with("/")) return c.Asset(req, "index.html");
        http::Response res = http::EmptyResponse(308);
        res.headers.Set("Location", std::string(kPrefix));
        return res;
    });
    router.Get("/console/**",
               [&c](http::Request& req) { return c.Asset(req, std::string_view(req.path).substr(kPrefix.size())); });
    router.AddAsync("GET", "/console/api/system",
                    c.ForOperators([&c](http::Request&) -> http::Awaitable<http::Response> {
                        co_return http::JsonResponse(200, console::SystemPicture(c.ctx.config()));
                    }));
    router.AddAsync("GET", "/console/api/status",
                    c.ForOperators([&c](http::Request&) -> http::Awaitable<http::Response> { return c.Status(); }));
    router.AddAsync("GET", "/console/api/deadletters",
                    c.ForOperators([&c](http::Request&) { return c.DeadLetters(); }));
    router.AddAsync("POST", "/console/api/deadletters/{service}/{id}/replay",
                    c.ForOperators([&c](http::Request& req) { return c.Replay(req); }));
    router.AddAsync("GET", "/events", c.ForOperators([&c](http::Request& req) { return c.Events(req); }));
}

}  // namespace reservo::edge
