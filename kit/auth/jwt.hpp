// JSON Web Tokens signed with RS256 (RFC 7519, RFC 7515): issue on the token server, verify on the gateway.
//
//   std::string token = RESERVO_TRY(auth::Sign(key, {{"iss", "reservo"}, {"aud", "api"}, {"sub", "u1"},
//                                                    {"exp", now + 300}, {"scope", "read write"}}));
//   auth::VerifyOptions options{.issuer = "reservo", .audience = "api"};
//   auto claims = auth::Verify(token, jwks, options);
//   if (!claims) {
//       // claims.error().kind: kExpired, kUnknownKid (refresh the JWKS), ...; .message says why
//   }
//
// Verification is strict: three base64url parts without padding, JSON objects, alg exactly RS256
// (`none`, HS256 and the rest are refused before any key is touched), a known kid, the signature,
// then `exp` (required), `nbf`, `iat`, `iss` and `aud`. Boost.JSON keeps the last of duplicate
// members, which RFC 7515 §5.2 allows. Crypto and base64 are OpenSSL's.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "kit/auth/jwks.hpp"
#include "kit/core/error.hpp"

namespace reservo::auth {

// Longer tokens are refused unread.
inline constexpr size_t kMaxTokenBytes = 8 * 1024;

// Base64url without padding (RFC 7515 §2), through OpenSSL's codec.
std::string Base64UrlEncode(std::string_view bytes);
// Strict: only [A-Za-z0-9_-], no padding, no white space, unused trailing bits zero; else InvalidArgument.
Result<std::string> Base64UrlDecode(std::string_view text);

// Signs `claims` with header {alg:"RS256", typ:"JWT", kid}. Claims are written as given; a non-finite
// number (which JSON cannot spell) is InvalidArgument.
Result<std::string> Sign(const SigningKey& key, const boost::json::object& claims);

// Why a token was refused. Each maps to `WWW-Authenticate: Bearer error="invalid_token"`.
enum class TokenErrorKind {
    kMalformed,      // not three strict base64url parts of JSON objects, too long, bad claim types
    kAlgNotAllowed,  // header alg is not RS256
    kUnknownKid,     // no key with that kid: the verifier may refresh its JWKS and retry once
    kBadSignature,   // the signature does not match the key
    kExpired,        // exp has passed (beyond the skew)
    kNotYetValid,    // nbf or iat lies in the future (beyond the skew)
    kWrongIssuer,    // iss missing or not the expected issuer
    kWrongAudience,  // aud missing or does not name the expected audience
};

// "malformed", "alg_not_allowed", "unknown_kid", "bad_signature", "expired", "not_yet_valid",
// "wrong_issuer", "wrong_audience".
std::string_view TokenErrorName(TokenErrorKind kind);

struct TokenError {
    TokenErrorKind kind;
    std::string message;  // for error_description: says what was wrong, never echoes secrets
};

template <class T>
using TokenResult = std::expected<T, TokenError>;

// A token split and decoded, not yet verified.
struct DecodedToken {
    boost::json::object header;
    boost::json::object claims;
    std::string_view signing_input;  // "<header>.<payload>", a view into the token
    std::string signature;
};

// Splits and decodes, checking only the form (any failure is kMalformed). For tools and fuzzing.
TokenResult<DecodedToken> Decode(std::string_view token);

struct VerifyOptions {
    std::string issuer;    // `iss` must equal it
    std::string audience;  // `aud` must equal it, or be an array containing it
    std::chrono::seconds clock_skew{30};
    // Wall clock, injectable for tests.
    std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

struct VerifiedClaims {
    std::string subject;                        // `sub`, empty when absent
    std::set<std::string, std::less<>> scopes;  // `scope` split on spaces
    int64_t expires_at = 0;                     // `exp`, seconds since the epoch (fraction dropped)
    boost::json::object raw;                    // every claim as received

    bool HasScope(std::string_view scope) const { return scopes.contains(scope); }
};

TokenResult<VerifiedClaims> Verify(std::string_view token, const Jwks& keys, const VerifyOptions& options);

}  // namespace reservo::auth
