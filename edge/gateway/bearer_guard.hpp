// The gateway's JWT check (an OAuth2 resource server, as Spring Security's `oauth2ResourceServer().jwt()`):
// every routed request of a system with `gateway.auth` carries `Authorization: Bearer <jwt>`, verified
// against the token service's JWKS (fetched, cached, refreshed on an unknown kid and periodically).
//
//   BearerGuard guard(io, settings, jwks_source, metrics);
//   guard.Start();                                        // first JWKS fetch, then every refresh period
//   Identity who;
//   if (auto refusal = co_await guard.Admit(req, who)) co_return *refusal;   // 401 / 403 / 503
//   // who.subject, who.client, who.scopes: the gateway passes them on in X-Auth-* headers
//
// Refusals are problem+json with `WWW-Authenticate: Bearer realm=..., error=...` (RFC 6750 §3):
// invalid_request (no token), invalid_token (malformed, alg other than RS256, unknown key, bad
// signature, expired, not yet valid, wrong issuer or audience), insufficient_scope (403). When the
// token's key is not cached and the key set cannot be fetched now: 503, nothing was done. Identity
// values are percent-encoded outside printable ASCII (a UTF-8 user name arrives as %EA%B9%80).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kit/http/message.hpp"
#include "kit/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::service {
class Dependency;
class Metrics;
}  // namespace reservo::service

namespace reservo::edge {

// Headers the gateway sets from a verified token; a client's copies are always dropped.
inline constexpr std::string_view kSubjectHeader = "X-Auth-Subject";
inline constexpr std::string_view kClientHeader = "X-Auth-Client";
inline constexpr std::string_view kScopesHeader = "X-Auth-Scopes";

// Who a verified token speaks for.
struct Identity {
    std::string subject;  // `sub`: the user, or the client for client_credentials
    std::string client;   // `client_id`
    std::string scopes;   // `scope`, space-separated
};

struct BearerSettings {
    std::string realm;        // the system's name, in WWW-Authenticate
    std::string issuer;       // gateway.auth.issuer: `iss` must equal it
    std::string audience;     // gateway.auth.audience: `aud` must name it
    std::string read_scope;   // gateway.auth.read-scope: what GET and HEAD need
    std::string write_scope;  // gateway.auth.write-scope: what every other method needs
    std::chrono::milliseconds clock_skew{30'000};
    std::chrono::milliseconds jwks_refresh{300'000};  // periodic refresh of the key set
    std::chrono::milliseconds min_refetch{1'000};     // an unknown kid refetches at most this often
};

class BearerGuard final {
  public:
    // `jwks_source` is the token service (its GET /.well-known/jwks.json); it outlives the guard.
    BearerGuard(boost::asio::io_context& io, BearerSettings settings, service::Dependency& jwks_source,
                service::Metrics& metrics);
    ~BearerGuard();
    BearerGuard(const BearerGuard&) = delete;
    BearerGuard& operator=(const BearerGuard&) = delete;

    // Fetches the key set now and then every `jwks_refresh`.
    void Start();
    // nullopt: the request may pass, and `who` says for whom; otherwise the answer to send.
    http::Awaitable<std::optional<http::Response>> Admit(const http::Request& req, Identity& who);

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace reservo::edge
