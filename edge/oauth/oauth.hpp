// The OAuth2 authorization server of a system (RFC 6749), issuing RS256 JWTs the gateway checks:
//
//   POST /oauth/token              grant_type=password (username, password) or client_credentials;
//                                  the client authenticates with HTTP Basic or client_id/client_secret
//   GET  /.well-known/jwks.json    the public keys, by kid (RFC 7517)
//   POST /actuator/keys/rotate     a new signing key now (operator endpoint, never routed)
//
// Accounts (clients and users) come from `services.oauth.clients` / `.users` in the system YAML,
// overridable by environment; the store keeps only their scrypt hashes. Signing keys are generated
// on first start and kept in the service's store (its data directory); a key is replaced after
// `key-rotation-ms` and stays in the JWKS until every token it signed has expired.
#pragma once

#include <string>

#include "kit/service/service.hpp"

namespace reservo::edge {

service::ServiceModule OAuthModule(const std::string& system);

}  // namespace reservo::edge
