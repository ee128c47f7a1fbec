// Secrets at rest and on the wire: scrypt hashes for passwords and client secrets (never stored in
// plain text), and the HTTP Basic credentials an OAuth client authenticates with.
//
//   std::string stored = RESERVO_TRY(auth::HashSecret("owner-pass"));  // "scrypt$16384$8$1$<salt>$<hash>"
//   bool ok = auth::VerifySecret("owner-pass", stored);                 // constant-time comparison
//   auto basic = auth::ParseBasic(req.headers.Find("Authorization"));    // {id, secret} of "Basic ..."
//
// Hashing is deliberately slow (scrypt, N=2^14, r=8, p=1: ~16 MiB and tens of milliseconds), so a
// caller on an event loop runs it on a worker thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::auth {

// A fresh random salt, scrypt, and the parameters in one self-describing text.
Result<std::string> HashSecret(std::string_view secret);
// Whether `secret` hashes to `stored` (a HashSecret text). A malformed `stored` never matches.
bool VerifySecret(std::string_view secret, std::string_view stored);

struct BasicCredentials {
    std::string id;
    std::string secret;
};
// RFC 7617 credentials of an `Authorization: Basic <base64(id:secret)>` value, each part
// form-urlencoded-decoded as RFC 6749 §2.3.1 asks of OAuth clients; nullopt for any other scheme
// or a malformed value.
std::optional<BasicCredentials> ParseBasic(std::string_view authorization);

// Standard base64 (RFC 4648 §4, with padding) and its strict inverse; through OpenSSL.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace reservo::auth
