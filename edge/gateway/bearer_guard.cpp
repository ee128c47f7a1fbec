#include "edge/gateway/bearer_guard.hpp"

#include <strings.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <utility>

#include "kit/auth/jwks.hpp"
#include "kit/auth/jwt.hpp"
#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/metrics.hpp"
#include "kit/service/spawn.hpp"

namespace reservo::edge {

namespace asio = boost::asio;
namespace bj = boost::json;

namespace {

// Safe inside a header and a quoted-string, and still telling values apart: printable ASCII
// as is, every other byte (UTF-8 included), '%', '"' and '\\' percent-encoded.
std::string HeaderSafe(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : text.substr(0, 1024)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f && c != '%' && c != '"' && c != '\\') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

// The token of `Authorization: Bearer <token>`; nullopt for another scheme or a malformed value.
std::optional<std::string_view> BearerToken(std::string_view authorization) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size() || strncasecmp(authorization.data(), kScheme.data(), kScheme.size()))
        return std::nullopt;
    std::string_view token = authorization.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty() || token.find(' ') != std::string_view::npos) return std::nullopt;
    return token;
}

}  // namespace

struct BearerGuard::State {
    State(asio::io_context& io, BearerSettings s, service::Dependency& src, service::Metrics& m)
        : io(io), settings(std::move(s)), source(src), metrics(m) {}

    asio::io_context& io;
    const BearerSettings settings;
    service::Dependency& source;
    service::Metrics& metrics;
    std::optional<auth::Jwks> keys;            // the last key set fetched
    SteadyClock::time_point last_fetch{};      // when the latest fetch started
    SteadyClock::time_point last_completed{};  // when the latest finished fetch had started
    bool last_ok = false;                      // whether it brought a valid key set
    bool fetching = false;
    bool stopped = false;

    // Fetches the key set; false when the token service did not give a valid one.
    http::Awaitable<bool> Fetch() {
        if (fetching) co_return false;  // one fetch at a time: the others use what it brings
        fetching = true;
        const auto started = SteadyClock::now();
        last_fetch = started;
        http::Request req;
        req.method = "GET";
        req.target = "/.well-known/jwks.json";
        auto res = co_await source.Call(std::move(req), true);
        fetching = false;
        last_completed = started;
        last_ok = false;
        if (!res || res->status != 200) {
            log::Warn("key set not fetched",
                      {{"from", source.name()},
                       {"why", res ? "status " + std::to_string(res->status) : res.error().message}});
            co_return false;
        }
        auto parsed = auth::Jwks::Parse(res->body);
        if (!parsed) {
            log::Warn("key set refused", {{"from", source.name()}, {"why", parsed.error().message}});
            co_return false;
        }
        if (!keys || keys->size() != parsed->size()) log::Info("key set loaded", {{"keys", parsed->size()}});
        keys = std::move(*parsed);
        last_ok = true;
        co_return true;
    }

    // Waits for a key set fetched after now: joins a fetch under way or starts one, but starts no
    // more than one per `min_refetch`, however many unknown kids arrive (a flood of forged kids
    // delays a genuinely new key by at most that long, and costs the token service nothing).
    // False when no such key set came in (the token service did not answer in time).
    http::Awaitable<bool> FetchNewer() {
        const auto asked = SteadyClock::now();
        asio::steady_timer timer(io);
        while (!stopped && SteadyClock::now() - asked < settings.min_refetch * 3) {
            if (last_completed >= asked) co_return last_ok;
            if (!fetching && SteadyClock::now() - last_fetch >= settings.min_refetch) co_return co_await Fetch();
            timer.expires_after(std::chrono::milliseconds(10));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return false;
    }

    http::Awaitable<void> RefreshLoop() {
        asio::steady_timer timer(io);
        while (!stopped) {
            const bool ok = co_await Fetch();
            // Until the first key set is in, try again soon.
            timer.expires_after(ok || keys ? settings.jwks_refresh : std::chrono::milliseconds(500));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    http::Response Refuse(int status, std::string_view error, std::string description, std::string_view reason,
                          std::string_view scope = {}) {
        metrics
            .Counter("reservo_gateway_auth_refused_total", "Requests the gateway refused for their bearer token",
                     {{"reason", std::string(reason)}})
            .Inc();
        http::Response res = http::Problem(status, "", description);
        std::string challenge = "Bearer realm=\"" + settings.realm + "\", error=\"" + std::string(error) +
                                "\", error_description=\"" + HeaderSafe(description) + "\"";
        if (!scope.empty()) challenge += ", scope=\"" + std::string(scope) + "\"";
        res.headers.Set("WWW-Authenticate", challenge);
        return res;
    }
};

BearerGuard::BearerGuard(asio::io_context& io, BearerSettings settings, service::Dependency& jwks_source,
                         service::Metrics& metrics)
    : state_(std::make_shared<State>(io, std::move(settings), jwks_source, metrics)) {}

BearerGuard::~BearerGuard() { state_->stopped = true; }

void BearerGuard::Start() {
    asio::co_spawn(
        state_->io, [state = state_]() { return state->RefreshLoop(); }, service::LogFailure("key set refresh"));
}

http::Awaitable<std::optional<http::Response>> BearerGuard::Admit(const http::Request& req, Identity& who) {
    auto state = state_;  // the guard may go while this waits for a key set
    auto header = req.headers.Find("Authorization");
    if (!header)
        co_return state->Refuse(401, "invalid_request", "a bearer token is required (Authorization: Bearer <token>)",
                                "missing");
    auto token = BearerToken(*header);
    if (!token)
        co_return state->Refuse(401, "invalid_request", "the Authorization header is not a Bearer token", "malformed");
    const std::string text(*token);

    auth::VerifyOptions options{
        .issuer = state->settings.issuer,
        .audience = state->settings.audience,
        .clock_skew = std::chrono::duration_cast<std::chrono::seconds>(state->settings.clock_skew),
    };
    auto verify = [&]() -> auth::TokenResult<auth::VerifiedClaims> {
        static const auth::Jwks kEmpty;
        return auth::Verify(text, state->keys ? *state->keys : kEmpty, options);
    };
    auto claims = verify();
    if (!claims && claims.error().kind == auth::TokenErrorKind::kUnknownKid) {
        // A new key after a rotation, or a foreign one: check with a key set fetched from now on.
        // Without one, the token may be good: "cannot tell now" (503), not "invalid" (401).
        const bool fresh = co_await state->FetchNewer();
        if (!fresh) {
            http::Response res = http::Unavailable(
                "the token's key is unknown and the token service's key set cannot be fetched now; nothing was done",
                1000);
            co_return res;
        }
        claims = verify();
    }
    if (!claims) {
        const auth::TokenError& e = claims.error();
        co_return state->Refuse(401, "invalid_token", e.message, auth::TokenErrorName(e.kind));
    }
    const bool reads = req.method == "GET" || req.method == "HEAD";
    const std::string& needed = reads ? state->settings.read_scope : state->settings.write_scope;
    if (!needed.empty() && !claims->HasScope(needed)) {
        co_return state->Refuse(403, "insufficient_scope", "the token lacks scope '" + needed + "' for " + req.method,
                                "scope", needed);
    }
    who = Identity{};
    for (const auto& s : claims->scopes) who.scopes += (who.scopes.empty() ? "" : " ") + HeaderSafe(s);
    if (auto c = claims->raw.if_contains("client_id"); c && c->is_string()) who.client = HeaderSafe(c->get_string());
    who.subject = HeaderSafe(claims->subject);
    co_return std::nullopt;
}

}  // namespace reservo::edge
