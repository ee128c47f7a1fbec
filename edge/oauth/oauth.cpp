#include "edge/oauth/oauth.hpp"

#include <malloc.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "edge/oauth/key_ring.hpp"
#include "kit/auth/jwks.hpp"
#include "kit/auth/jwt.hpp"
#include "kit/auth/secret.hpp"
#include "kit/core/clock.hpp"
#include "kit/core/config_schema.hpp"
#include "kit/core/log.hpp"
#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/http/router.hpp"
#include "kit/service/spawn.hpp"
#include "kit/store/database.hpp"

namespace reservo::edge {
namespace {

namespace asio = boost::asio;
namespace bj = boost::json;
using Millis = std::chrono::milliseconds;
using ScopeSet = std::set<std::string, std::less<>>;

constexpr store::Migration kMigrations[] = {
    {1, R"sql(
        CREATE TABLE signing_keys (
            kid           TEXT PRIMARY KEY,
            pem           TEXT NOT NULL,
            created_ms    INTEGER NOT NULL,
            superseded_ms INTEGER            -- when a newer key took over; NULL for the active one
        );
        CREATE TABLE accounts (
            kind        TEXT NOT NULL CHECK (kind IN ('client', 'user')),
            name        TEXT NOT NULL,
            secret_hash TEXT NOT NULL,       -- scrypt (kit/auth/secret.hpp), never the secret itself
            PRIMARY KEY (kind, name)
        );
    )sql"},
};

constexpr store::Sql kAccountHash{"oauth_account_hash", "SELECT secret_hash FROM accounts WHERE kind = ? AND name = ?"};
constexpr store::Sql kSaveAccount{"oauth_save_account",
                                  "INSERT INTO accounts (kind, name, secret_hash) VALUES (?, ?, ?) "
                                  "ON CONFLICT (kind, name) DO UPDATE SET secret_hash = excluded.secret_hash"};
constexpr store::Sql kAccountNames{"oauth_account_names", "SELECT kind, name FROM accounts"};
constexpr store::Sql kDeleteAccount{"oauth_delete_account", "DELETE FROM accounts WHERE kind = ? AND name = ?"};

// Hashing and key generation are slow on purpose: they run here, never on the event loop.
asio::thread_pool& Workers() {
    static asio::thread_pool pool(2);
    return pool;
}

// Runs `work` on the worker thread and resumes the caller on its own loop with the result (which
// asio needs default-constructible). Pass a named lambda, moved: GCC 12 destroys a temporary
// lambda in a co_await operand twice.
template <class F>
http::Awaitable<std::invoke_result_t<F>> OffLoop(F work) {
    using R = std::invoke_result_t<F>;
    auto task = [work = std::move(work)]() -> asio::awaitable<R> { co_return work(); };
    co_return co_await asio::co_spawn(Workers(), std::move(task), asio::use_awaitable);
}

// application/x-www-form-urlencoded: percent-decoded, '+' a space.
std::string FormDecoded(boost::urls::pct_string_view text) {
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    std::string out;
    for (char c : boost::urls::decode_view(text, opts)) out.push_back(c);
    return out;
}

ScopeSet SplitScopes(std::string_view text) {
    ScopeSet out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) out.emplace(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string JoinScopes(const ScopeSet& scopes) {
    std::string out;
    for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
    return out;
}

// A configured account: its secret (to be hashed into the store), grants and scopes.
struct Account {
    std::string secret;
    std::set<std::string, std::less<>> grants;  // clients only
    ScopeSet scopes;
};

struct OAuthSettings {
    std::string issuer;
    std::string audience;
    Millis token_ttl{};
    Millis key_rotation{};
    Millis clock_skew{};
    std::map<std::string, Account, std::less<>> clients;
    std::map<std::string, Account, std::less<>> users;
};

Result<OAuthSettings> ReadSettings(const Config& cfg, const std::string& me) {
    const std::string key = "services." + me;
    OAuthSettings s;
    s.issuer = RESERVO_TRY(cfg.RequireString("gateway.auth.issuer"));
    s.audience = RESERVO_TRY(cfg.RequireString("gateway.auth.audience"));
    s.clock_skew = RESERVO_TRY(cfg.RequireMillis("gateway.auth.clock-skew-ms"));
    s.token_ttl = RESERVO_TRY(cfg.RequireMillis(key + ".token-ttl-ms"));
    s.key_rotation = RESERVO_TRY(cfg.RequireMillis(key + ".key-rotation-ms"));
    for (const auto& id : cfg.Children(key + ".clients")) {
        const std::string k = key + ".clients." + id;
        Account a{.secret = RESERVO_TRY(cfg.RequireString(k + ".secret"))};
        for (auto& g : RESERVO_TRY(cfg.RequireList(k + ".grants"))) a.grants.insert(std::move(g));
        for (auto& sc : RESERVO_TRY(cfg.RequireList(k + ".scopes"))) a.scopes.insert(std::move(sc));
        s.clients.emplace(id, std::move(a));
    }
    for (const auto& name : cfg.Children(key + ".users")) {
        const std::string k = key + ".users." + name;
        Account a{.secret = RESERVO_TRY(cfg.RequireString(k + ".password"))};
        for (auto& sc : RESERVO_TRY(cfg.RequireList(k + ".scopes"))) a.scopes.insert(std::move(sc));
        s.users.emplace(name, std::move(a));
    }
    // A client-credentials token's subject is the client: a user of the same name would be it too.
    for (const auto& [name, _] : s.users) {
        if (s.clients.contains(name))
            return Fail(Code::kInvalidArgument, key + ".users." + name +
                                                    ": a user may not have the name of a client (their tokens "
                                                    "would carry the same subject)");
    }
    return s;
}

// Secrets this process has verified against their slow hash, remembered as an HMAC under a key
// that lives only in this process's memory: a repeat login costs one HMAC instead of scrypt.
class VerifiedSecrets final {
  public:
    VerifiedSecrets() : key_(RandomHexId(32)) {}

    std::string Digest(std::string_view secret) const {
        unsigned char mac[EVP_MAX_MD_SIZE];
        size_t len = 0;
        if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), mac, sizeof mac, &len))
            return {};
        return std::string(reinterpret_cast<char*>(mac), len);
    }
    bool Matches(const std::string& account, const std::string& digest) const {
        auto it = known_.find(account);
        return !digest.empty() && it != known_.end() && it->second.size() == digest.size() &&
               CRYPTO_memcmp(it->second.data(), digest.data(), digest.size()) == 0;
    }
    void Remember(const std::string& account, std::string digest) {
        if (!digest.empty()) known_[account] = std::move(digest);
    }

  private:
    std::string key_;
    std::map<std::string, std::string> known_;  // "kind:name" → digest of its secret
};

// An RFC 6749 §5.2 error, as problem+json with the OAuth members beside the problem's own.
http::Response OAuthError(int status, std::string_view error, std::string description) {
    http::Response res = http::Problem(status, "", description);
    bj::value body = bj::parse(res.body);
    body.as_object()["error"] = error;
    body.as_object()["error_description"] = description;
    res.body = bj::serialize(body);
    res.headers.Set("Cache-Control", "no-store");
    return res;
}

class OAuthServer final {
  public:
    OAuthServer(service::ServiceContext& ctx, OAuthSettings settings)
        : ctx_(ctx), settings_(std::move(settings)), keys_(ctx.db(), settings_.token_ttl + settings_.clock_skew) {}

    Status Wire(service::ServiceContext& ctx) {
        // scrypt takes 16 MiB a hash: mapped and unmapped each time, not kept by glibc's arenas
        // (whose threshold would otherwise grow past it and hold the memory for good).
        ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
        RESERVO_TRY(RestrictStoreFiles());
        ctx.router().PostAsync("/oauth/token", [this](http::Request& req) { return Token(req); });
        ctx.router().AddAsync("GET", "/.well-known/jwks.json", [this](http::Request&) { return JwksResponse(); });
        ctx.actuator().PostAsync("/actuator/keys/rotate", [this](http::Request&) { return RotateNow(); });
        ctx.Every(std::min<Millis>(Millis(60'000), std::max<Millis>(Millis(1000), settings_.key_rotation / 4)), [this] {
            if (auto st = RotateIfDue(); !st) log::Warn("key rotation postponed", {{"why", st.error().message}});
        });
        // Hashing and key generation take a few hundred milliseconds: off the start path, so the
        // service is ready at once; a request that comes meanwhile waits for them.
        asio::co_spawn(
            ctx.io(),
            [this]() -> http::Awaitable<void> {
                auto prepared = co_await Prepare();
                if (prepared) {
                    prepared_ = true;
                } else {
                    log::Error("token service not prepared", {{"why", prepared.error().message}});
                    ctx_.SetProblem("oauth", "accounts or signing key not prepared: " + prepared.error().message);
                }
            },
            service::LogFailure("token service preparation"));
        return Ok();
    }

  private:
    // The store holds the private signing key: only this user may read it (SQLite gives its -wal
    // and -shm files the database file's mode; those already open are changed too).
    Status RestrictStoreFiles() {
        for (const std::string& path : ctx_.db().Files()) {
            if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0 && errno != ENOENT)
                return Fail(Code::kUnavailable, "cannot restrict " + path + " to its owner");
        }
        return Ok();
    }

    // The first signing key (on first start), then the store's accounts: a hash of each configured
    // secret (a changed secret is hashed again; only hashes are ever written), none for an account
    // no longer configured.
    http::Awaitable<Status> Prepare() {
        auto empty = keys_.Empty();
        if (!empty) co_return Fail(empty.error());
        if (*empty) {
            auto kid = co_await Rotate();
            if (!kid) co_return Fail(kid.error());
        }
        struct Check {
            std::string kind, name, secret, stored;
        };
        std::vector<Check> checks;
        auto gather = [&](const std::string& kind, const auto& accounts) -> Status {
            for (const auto& [name, account] : accounts) {
                auto rows = RESERVO_TRY(ctx_.db().Query(kAccountHash, {kind, name}));
                checks.push_back({kind, name, account.secret, rows.empty() ? std::string() : rows.front().Text(0)});
            }
            return Ok();
        };
        if (auto st = gather("client", settings_.clients); !st) co_return st;
        if (auto st = gather("user", settings_.users); !st) co_return st;
        struct Hashed {
            std::vector<std::array<std::string, 3>> writes;  // kind, name, hash
            std::string dummy;                               // for unknown names (see Authenticate)
            std::string error;
        };
        auto hash_all = [checks = std::move(checks)]() {
            Hashed out;
            for (const Check& c : checks) {
                if (!c.stored.empty() && auth::VerifySecret(c.secret, c.stored)) continue;
                auto hash = auth::HashSecret(c.secret);
                if (!hash) return Hashed{.error = hash.error().message};
                out.writes.push_back({c.kind, c.name, std::move(*hash)});
            }
            auto dummy = auth::HashSecret(RandomHexId(16));
            if (!dummy) return Hashed{.error = dummy.error().message};
            out.dummy = std::move(*dummy);
            return out;
        };
        Hashed hashed = co_await OffLoop(std::move(hash_all));
        if (!hashed.error.empty()) co_return Fail(Code::kInternal, hashed.error);
        auto save = [&]() -> Status {
            auto tx = RESERVO_TRY(ctx_.db().TryBegin());
            for (const auto& [kind, name, hash] : hashed.writes) {
                RESERVO_TRY(ctx_.db().Execute(kSaveAccount, {kind, name, hash}));
            }
            for (const auto& row : RESERVO_TRY(ctx_.db().Query(kAccountNames))) {
                const auto& configured = row.Text(0) == "client" ? settings_.clients : settings_.users;
                if (!configured.contains(row.Text(1)))
                    RESERVO_TRY(ctx_.db().Execute(kDeleteAccount, {row.Text(0), row.Text(1)}));
            }
            return tx.Commit();
        };
        auto saved = co_await WhenUnlocked(std::move(save));
        if (!saved) co_return saved;
        dummy_hash_ = std::move(hashed.dummy);
        co_return Ok();
    }

    // Runs `write` (which takes the store's write lock with TryBegin) until it is not refused as
    // busy, for up to two seconds, never blocking the loop.
    template <class Write>
    http::Awaitable<Status> WhenUnlocked(Write write) {
        asio::steady_timer timer(ctx_.io());
        for (int attempt = 0;; ++attempt) {
            Status st = write();
            if (st || st.error().code != Code::kUnavailable || attempt >= 100) co_return st;
            timer.expires_after(Millis(20));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    // Whether the first key and the accounts are in; waits up to five seconds for them.
    http::Awaitable<bool> Prepared() {
        asio::steady_timer timer(ctx_.io());
        for (int i = 0; !prepared_ && i < 500; ++i) {
            timer.expires_after(Millis(10));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return prepared_;
    }

    enum class Check { kOk, kRefused, kBusy };

    // Whether `secret` is the stored secret of the account. A secret verified before is recognised
    // by its keyed digest at no cost, so a flood of wrong guesses, which queue for the slow hash,
    // never holds up clients that already logged in. An unknown account costs a hash too, so
    // timing does not tell which names exist.
    http::Awaitable<Check> Authenticate(std::string kind, std::string name, std::string secret) {
        const std::string account = kind + ":" + name;
        const std::string digest = verified_.Digest(secret);
        if (verified_.Matches(account, digest)) co_return Check::kOk;
        if (hashing_ >= kMaxHashing) co_return Check::kBusy;
        auto rows = ctx_.db().Query(kAccountHash, {kind, name});
        std::string stored = rows && !rows->empty() ? rows->front().Text(0) : std::string();
        const bool known = !stored.empty();
        if (!known) stored = dummy_hash_;
        struct Counted {  // hashes under way, also when the wait ends in an exception
            explicit Counted(int& count) : n(++count) {}
            ~Counted() { --n; }
            int& n;
        } counted(hashing_);
        auto verify = [secret = std::move(secret), stored] { return auth::VerifySecret(secret, stored); };
        const bool ok = co_await OffLoop(std::move(verify));
        if (ok && known) {
            verified_.Remember(account, digest);
            co_return Check::kOk;
        }
        ctx_.metrics()
            .Counter("reservo_oauth_authentication_failures_total", "Token requests refused for a wrong secret",
                     {{"kind", kind}})
            .Inc();
        log::Warn("authentication failed", {{"kind", kind}, {"name", name.substr(0, 64)}});
        co_return Check::kRefused;
    }

    http::Awaitable<http::Response> Token(http::Request& req) {
        const bool prepared = co_await Prepared();
        if (!prepared) co_return http::Unavailable("the token service is not prepared yet; nothing was done", 1000);
        std::string type(req.headers.Find("Content-Type").value_or(""));
        std::ranges::transform(type, type.begin(), [](unsigned char c) { return std::tolower(c); });
        if (!type.starts_with("application/x-www-form-urlencoded"))
            co_return OAuthError(400, "invalid_request", "the token request must be application/x-www-form-urlencoded");
        // Credentials in the URL end up in logs along the way (RFC 6749 §2.3.1, §3.2).
        for (const auto& [name, _] : req.query) {
            if (name == "password" || name == "client_secret")
                co_return OAuthError(400, "invalid_request", "credentials belong in the form body, not in the URL");
        }
        std::map<std::string, std::string, std::less<>> form;
        auto parsed = boost::urls::parse_query(req.body);
        if (!parsed) co_return OAuthError(400, "invalid_request", "the form body is not valid urlencoded text");
        for (auto param : *parsed) {
            std::string name = FormDecoded(param.key);
            std::string value = param.has_value ? FormDecoded(param.value) : std::string();
            if (value.empty()) continue;  // an empty parameter counts as omitted (RFC 6749 §3.1)
            if (!form.emplace(name, std::move(value)).second)
                co_return OAuthError(400, "invalid_request",
                                     "parameter '" + name.substr(0, 40) + "' is given more than once");
        }
        auto field = [&](std::string_view name) -> std::string {
            auto it = form.find(name);
            return it == form.end() ? std::string() : it->second;
        };

        // The client: HTTP Basic or the form (RFC 6749 §2.3.1); a form client_id may repeat the
        // Basic one, a secret in both is refused.
        auto authorization = req.headers.Find("Authorization");
        auto basic = authorization ? auth::ParseBasic(*authorization) : std::nullopt;
        if (authorization && !basic)
            co_return ClientRefused(true, "the Authorization header is not valid Basic credentials");
        if (basic &&
            (form.contains("client_secret") || (form.contains("client_id") && field("client_id") != basic->id)))
            co_return OAuthError(400, "invalid_request", "the client is authenticated twice (Basic and form)");
        std::string client_id = basic ? basic->id : field("client_id");
        std::string client_secret = basic ? basic->secret : field("client_secret");
        if (client_id.empty()) co_return ClientRefused(true, "no client authentication (HTTP Basic or client_id)");
        const Check client_check = co_await Authenticate("client", client_id, client_secret);
        if (client_check == Check::kBusy) co_return Busy();
        auto client = settings_.clients.find(client_id);
        if (client_check != Check::kOk || client == settings_.clients.end())
            co_return ClientRefused(basic.has_value(), "unknown client or wrong secret");

        const std::string grant = field("grant_type");
        if (grant.empty()) co_return OAuthError(400, "invalid_request", "grant_type is missing");
        if (grant != "password" && grant != "client_credentials")
            co_return OAuthError(
                400, "unsupported_grant_type",
                "grant_type must be password or client_credentials, got '" + grant.substr(0, 40) + "'");
        if (!client->second.grants.contains(grant))
            co_return OAuthError(400, "unauthorized_client", "client '" + client_id + "' may not use grant " + grant);

        std::string subject = client_id;
        ScopeSet allowed = client->second.scopes;
        if (grant == "password") {
            const std::string username = field("username");
            if (username.empty() || !form.contains("password"))
                co_return OAuthError(400, "invalid_request", "the password grant needs username and password");
            const Check user_check = co_await Authenticate("user", username, field("password"));
            if (user_check == Check::kBusy) co_return Busy();
            auto user = settings_.users.find(username);
            if (user_check != Check::kOk || user == settings_.users.end())
                co_return OAuthError(400, "invalid_grant", "wrong username or password");
            subject = username;
            ScopeSet both;
            std::ranges::set_intersection(allowed, user->second.scopes, std::inserter(both, both.end()));
            allowed = std::move(both);
        }
        ScopeSet granted = allowed;
        if (form.contains("scope")) {
            granted = SplitScopes(field("scope"));
            for (const auto& s : granted) {
                if (!allowed.contains(s))
                    co_return OAuthError(400, "invalid_scope", "scope '" + s.substr(0, 40) + "' is not allowed here");
            }
        }
        co_return Issue(subject, client_id, granted);
    }

    static http::Response Busy() {
        return http::Unavailable("too many token requests with new credentials at once; nothing was done", 1000);
    }

    // RFC 6749 §5.2: 401 with a Basic challenge when the client used (or did not attempt) HTTP
    // Basic; 400 when it authenticated with the form.
    http::Response ClientRefused(bool challenge, std::string why) {
        http::Response res = OAuthError(challenge ? 401 : 400, "invalid_client", std::move(why));
        if (challenge) res.headers.Set("WWW-Authenticate", "Basic realm=\"" + ctx_.system() + "\"");
        return res;
    }

    http::Response Issue(const std::string& subject, const std::string& client_id, const ScopeSet& scopes) {
        auto key = keys_.Active();
        if (!key) return http::ProblemFrom(key.error());
        const int64_t now = NowUnixMillis() / 1000;
        const int64_t ttl = std::max<int64_t>(1, settings_.token_ttl.count() / 1000);
        const std::string scope = JoinScopes(scopes);
        bj::object claims{{"iss", settings_.issuer},
                          {"aud", settings_.audience},
                          {"sub", subject},
                          {"client_id", client_id},
                          {"scope", scope},
                          {"iat", now},
                          {"nbf", now},
                          {"exp", now + ttl},
                          {"jti", RandomHexId(16)}};
        auto token = auth::Sign(*key, claims);
        if (!token) return http::ProblemFrom(token.error());
        http::Response res = http::JsonResponse(
            200, bj::object{{"access_token", *token}, {"token_type", "bearer"}, {"expires_in", ttl}, {"scope", scope}});
        res.headers.Set("Cache-Control", "no-store");
        res.headers.Set("Pragma", "no-cache");
        log::Info("token issued", {{"subject", subject}, {"client", client_id}, {"scope", scope}, {"kid", key->kid()}});
        return res;
    }

    http::Awaitable<http::Response> JwksResponse() {
        const bool prepared = co_await Prepared();
        if (!prepared) co_return http::Unavailable("the token service is not prepared yet", 1000);
        co_return KeySet();
    }

    http::Response KeySet() {
        auto set = keys_.Published();
        if (!set) return http::ProblemFrom(set.error());
        http::Response res = http::TextResponse(200, set->Serialize(), "application/jwk-set+json");
        res.headers.Set("Cache-Control", "max-age=60");
        return res;
    }

    Status RotateIfDue() {
        if (rotating_ || !prepared_) return Ok();
        const int64_t age = RESERVO_TRY(keys_.ActiveAge());
        if (age < settings_.key_rotation.count()) return Ok();
        asio::co_spawn(
            ctx_.io(),
            [this]() -> http::Awaitable<void> {
                auto kid = co_await Rotate();
                if (!kid) log::Warn("key rotation postponed", {{"why", kid.error().message}});
            },
            service::LogFailure("signing key rotation"));
        return Ok();
    }

    // A new key, made off the loop; stored when the store's write lock is free (the next tick
    // tries again otherwise).
    http::Awaitable<Result<std::string>> Rotate() {
        if (rotating_) co_return Fail(Code::kUnavailable, "a rotation is under way");
        rotating_ = true;
        auto generate = []() -> std::optional<auth::SigningKey> {
            auto made = auth::SigningKey::Generate();
            if (made) return std::move(*made);
            log::Error("no signing key generated", {{"why", made.error().message}});
            return std::nullopt;
        };
        auto key = co_await OffLoop(std::move(generate));
        rotating_ = false;
        if (!key) co_return Fail(Code::kInternal, "no signing key generated");
        auto add = [&] { return keys_.Add(*key); };
        auto added = co_await WhenUnlocked(std::move(add));
        if (!added) co_return Fail(added.error());
        co_return key->kid();
    }

    http::Awaitable<http::Response> RotateNow() {
        auto kid = co_await Rotate();
        if (!kid) co_return http::ProblemFrom(kid.error());
        co_return http::JsonResponse(200, bj::object{{"kid", *kid}});
    }

    static constexpr int kMaxHashing = 64;  // secrets being checked at once; more are refused

    service::ServiceContext& ctx_;
    const OAuthSettings settings_;
    KeyRing keys_;
    std::string dummy_hash_;
    VerifiedSecrets verified_;
    int hashing_ = 0;
    bool rotating_ = false;
    bool prepared_ = false;  // the first key and the accounts' hashes are in the store
};

}  // namespace

service::ServiceModule OAuthModule(const std::string& system) {
    using S = Schema;
    S account = S::Map({{"secret", S::String().Required()},
                        {"grants", S::StringList().Required()},
                        {"scopes", S::StringList().Required()}});
    S user = S::Map({{"password", S::String().Required()}, {"scopes", S::StringList().Required()}});
    return service::ServiceModule{
        .system = system,
        .name = "oauth",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .settings = {{"token-ttl-ms", S::Millis(1000).Required()},
                     {"key-rotation-ms", S::Millis(1000).Required()},
                     {"clients", S::FreeMap(account, S::Keys::kAny, "client").Required()},
                     {"users", S::FreeMap(user, S::Keys::kAny, "user").Required()}},
        .wire = service::WireParts<OAuthServer>([](const Config& cfg) { return ReadSettings(cfg, "oauth"); }),
        .uses_events = false,
    };
}

}  // namespace reservo::edge
