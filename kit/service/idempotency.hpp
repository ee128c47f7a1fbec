// Idempotency keys for creating POSTs (the IETF `Idempotency-Key` header): a retry with the same
// key gets the first answer — same status, same id, same body — and has no second effect.
//
// The service host wraps every business POST that carries the header:
//
//   IdempotencyKeys keys(db, retention);
//   auto begun = keys.Begin(key, IdempotencyKeys::Fingerprint(req));
//   if (!begun) return ProblemFrom(begun.error());
//   if (*begun) return **begun;            // the first answer, a 409 (in progress) or a 422 (reused)
//   Response res = co_await handler(req);
//   keys.Finish(key, res);
//
// Begin, Finish and Prune never wait for the store's write lock: when another connection holds
// it they fail with Unavailable at once, and the host tries again on a timer (bounded by the
// request's deadline) instead of stalling its event loop.
//
// The key is held from Begin until Finish stores the answer. An answer that means "nothing was
// done" (5xx, 429) is not kept, so a retry runs the request again. A key whose request was
// interrupted by a crash stays held (its outcome is unknown) until the retention ends.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"
#include "kit/http/message.hpp"
#include "kit/store/database.hpp"

namespace reservo::service {

class IdempotencyKeys final {
  public:
    static constexpr std::string_view kHeader = "Idempotency-Key";

    IdempotencyKeys(store::Database& db, Millis retention) : db_(db), retention_(retention) {}

    // The idempotency_keys table, as migration 9021.
    static std::span<const store::Migration> Migrations();
    // What makes two requests "the same": method, target and body (SHA-256, hex).
    static std::string Fingerprint(const http::Request& req);
    // A key is 1 to 255 visible ASCII characters.
    static Status Validate(std::string_view key);

    // Holds the key for this request (nullopt: go ahead), or the answer to give instead.
    Result<std::optional<http::Response>> Begin(const std::string& key, const std::string& fingerprint);
    // Stores the request's answer under the key, or releases the key when nothing was done.
    Status Finish(const std::string& key, const http::Response& answer);
    // Forgets keys older than the retention; returns how many.
    Result<int64_t> Prune();

  private:
    store::Database& db_;
    Millis retention_;
};

}  // namespace reservo::service
