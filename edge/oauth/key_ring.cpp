#include "edge/oauth/key_ring.hpp"

#include <set>
#include <utility>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/core/try.hpp"

namespace reservo::edge {
namespace {

constexpr store::Sql kKeys{"oauth_keys",
                           "SELECT kid, pem, created_ms, superseded_ms FROM signing_keys ORDER BY created_ms DESC"};
constexpr store::Sql kInsertKey{
    "oauth_insert_key", "INSERT INTO signing_keys (kid, pem, created_ms, superseded_ms) VALUES (?, ?, ?, NULL)"};
constexpr store::Sql kSupersede{"oauth_supersede_keys",
                                "UPDATE signing_keys SET superseded_ms = ? WHERE superseded_ms IS NULL AND kid <> ?"};
constexpr store::Sql kPruneKeys{"oauth_prune_keys",
                                "DELETE FROM signing_keys WHERE superseded_ms IS NOT NULL AND superseded_ms < ?"};

}  // namespace

Result<bool> KeyRing::Empty() { return RESERVO_TRY(db_.Query(kKeys)).empty(); }

Result<auth::SigningKey> KeyRing::Active() {
    auto rows = RESERVO_TRY(db_.Query(kKeys));
    if (rows.empty()) return Fail(Code::kUnavailable, "no signing key yet");
    return Parsed(rows.front());
}

Result<auth::Jwks> KeyRing::Published() {
    auth::Jwks set;
    const int64_t now = NowUnixMillis();
    for (const auto& row : RESERVO_TRY(db_.Query(kKeys))) {
        if (!row.IsNull(3) && row.Int(3) + keep_.count() < now) continue;
        set.Add(RESERVO_TRY(Parsed(row)).Public());
    }
    return set;
}

Result<int64_t> KeyRing::ActiveAge() {
    auto rows = RESERVO_TRY(db_.Query(kKeys));
    return rows.empty() ? 0 : NowUnixMillis() - rows.front().Int(2);
}

Status KeyRing::Add(const auth::SigningKey& key) {
    const std::string pem = RESERVO_TRY(key.ToPem());
    auto tx = RESERVO_TRY(db_.TryBegin());
    if (RESERVO_TRY(Published()).size() >= kMaxPublishedKeys) {
        return Fail(Code::kFailedPrecondition,
                    "already " + std::to_string(kMaxPublishedKeys) +
                        " keys are published; rotate again once the tokens of the oldest have expired");
    }
    const int64_t now = NowUnixMillis();
    RESERVO_TRY(db_.Execute(kInsertKey, {key.kid(), pem, now}));
    RESERVO_TRY(db_.Execute(kSupersede, {now, key.kid()}));
    RESERVO_TRY(db_.Execute(kPruneKeys, {now - keep_.count()}));
    RESERVO_TRY(tx.Commit());
    std::set<std::string, std::less<>> kept;
    for (const auto& row : RESERVO_TRY(db_.Query(kKeys))) kept.insert(row.Text(0));
    std::erase_if(cache_, [&](const auto& entry) { return !kept.contains(entry.first); });
    log::Info("signing key created", {{"kid", key.kid()}});
    return Ok();
}

Result<auth::SigningKey> KeyRing::Parsed(const store::Row& row) {
    const std::string kid = row.Text(0);
    if (auto it = cache_.find(kid); it != cache_.end()) return it->second;
    auto key = RESERVO_TRY(auth::SigningKey::FromPem(row.Text(1)));
    cache_.emplace(kid, key);
    return key;
}

}  // namespace reservo::edge
