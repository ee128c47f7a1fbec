// The token service's signing keys, kept in its store (table `signing_keys`, created by the
// service's migration): the newest signs, the superseded ones stay published until the tokens they
// signed have expired. Parsed keys are cached by kid (a PEM is read once).
//
//   KeyRing keys(db, token_ttl + clock_skew);
//   if (*keys.Empty()) keys.Add(*auth::SigningKey::Generate());
//   std::string token = *auth::Sign(*keys.Active(), claims);
//   std::string body = keys.Published()->Serialize();   // GET /.well-known/jwks.json
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "kit/auth/jwks.hpp"
#include "kit/core/error.hpp"
#include "kit/store/database.hpp"

namespace reservo::edge {

class KeyRing final {
  public:
    // A rotation beyond this many published keys is refused (each stays published for a token's lifetime).
    static constexpr size_t kMaxPublishedKeys = 8;

    // `keep_after_superseded`: how long a replaced key stays published (a token's lifetime and the
    // verifiers' clock skew).
    KeyRing(store::Database& db, std::chrono::milliseconds keep_after_superseded)
        : db_(db), keep_(keep_after_superseded) {}

    Result<bool> Empty();
    // The newest key; Unavailable when there is none yet.
    Result<auth::SigningKey> Active();
    // Every key a valid token may carry: the active one and those superseded less than
    // `keep_after_superseded` ago.
    Result<auth::Jwks> Published();
    // Milliseconds since the active key was made (0 when there is none).
    Result<int64_t> ActiveAge();
    // Stores `key` as the active one (taking the write lock with TryBegin: Unavailable when busy);
    // the previous active key is superseded now, and a key no token can carry any more is deleted.
    // FailedPrecondition when kMaxPublishedKeys are published already.
    Status Add(const auth::SigningKey& key);

  private:
    Result<auth::SigningKey> Parsed(const store::Row& row);

    store::Database& db_;
    std::chrono::milliseconds keep_;
    std::map<std::string, auth::SigningKey, std::less<>> cache_;
};

}  // namespace reservo::edge
