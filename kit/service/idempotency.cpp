#include "kit/service/idempotency.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "kit/http/problem.hpp"

namespace reservo::service {
namespace {

using store::Sql;

constexpr store::Migration kMigrations[] = {
    {9021,
     "CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL,"
     " status INTEGER, headers TEXT, body TEXT, created_ms INTEGER NOT NULL)"},
};

constexpr Sql kFind{"idempotency_find",
                    "SELECT fingerprint, state, status, headers, body, created_ms FROM idempotency_keys WHERE key = ?"};
constexpr Sql kHold{"idempotency_hold",
                    "INSERT INTO idempotency_keys (key, fingerprint, state, created_ms) VALUES (?, ?, 'started', ?)"};
constexpr Sql kForget{"idempotency_forget", "DELETE FROM idempotency_keys WHERE key = ?"};
constexpr Sql kStore{"idempotency_store",
                     "UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ? WHERE key = ?"};
constexpr Sql kPrune{"idempotency_prune", "DELETE FROM idempotency_keys WHERE created_ms < ?"};

// The answer's headers worth replaying; the rest (ids, CORS, dates) belong to each exchange.
constexpr std::string_view kKept[] = {"Content-Type", "Location", "Retry-After"};

bool NothingDone(int status) { return status >= 500 || status == 429 || status == 408; }

}  // namespace

std::span<const store::Migration> IdempotencyKeys::Migrations() { return kMigrations; }

std::string IdempotencyKeys::Fingerprint(const http::Request& req) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    for (std::string_view part : {std::string_view(req.method), std::string_view("\n"), std::string_view(req.target),
                                  std::string_view("\n"), std::string_view(req.body)}) {
        EVP_DigestUpdate(ctx, part.data(), part.size());
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx, digest, &size);
    EVP_MD_CTX_free(ctx);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

Status IdempotencyKeys::Validate(std::string_view key) {
    bool visible = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (key.empty() || key.size() > 255 || !visible) {
        return Fail(Code::kInvalidArgument, "Idempotency-Key: 1 to 255 visible ASCII characters");
    }
    return Ok();
}

Result<std::optional<http::Response>> IdempotencyKeys::Begin(const std::string& key, const std::string& fingerprint) {
    const int64_t now = NowUnixMillis();
    auto tx = db_.TryBegin();
    if (!tx) return Fail(tx.error());
    auto rows = db_.Query(kFind, {key});
    if (!rows) return Fail(rows.error());
    if (!rows->empty() && rows->front().Int(5) < now - retention_.count()) {
        if (auto r = db_.Execute(kForget, {key}); !r) return Fail(r.error());
        rows->clear();
    }
    if (rows->empty()) {
        if (auto r = db_.Execute(kHold, {key, fingerprint, now}); !r) return Fail(r.error());
        if (auto st = tx->Commit(); !st) return Fail(st.error());
        return std::optional<http::Response>();
    }
    const store::Row& row = rows->front();
    if (row.Text(0) != fingerprint) {
        return std::optional<http::Response>(
            http::Problem(422, "", "Idempotency-Key '" + key + "' was already used for a different request"));
    }
    if (row.Text(1) != "done") {
        http::Response busy = http::Problem(
            409, "",
            "a request with Idempotency-Key '" + key + "' is in progress, or was interrupted with an unknown outcome");
        busy.headers.Set("Retry-After", "1");
        return std::optional<http::Response>(std::move(busy));
    }
    http::Response replay;
    replay.status = static_cast<int>(row.Int(2));
    replay.body = row.Text(4);
    boost::system::error_code ec;
    auto headers = boost::json::parse(row.Text(3), ec);
    if (!ec && headers.is_object()) {
        for (const auto& [name, value] : headers.as_object()) {
            if (value.is_string()) replay.headers.Set(name, std::string(value.as_string()));
        }
    }
    replay.headers.Set("Idempotent-Replayed", "true");
    return std::optional<http::Response>(std::move(replay));
}

Status IdempotencyKeys::Finish(const std::string& key, const http::Response& answer) {
    auto tx = db_.TryBegin();
    if (!tx) return Fail(tx.error());
    if (NothingDone(answer.status)) {
        if (auto r = db_.Execute(kForget, {key}); !r) return Fail(r.error());
    } else {
        boost::json::object headers;
        for (std::string_view name : kKept) {
            if (auto v = answer.headers.Find(name)) headers[name] = *v;
        }
        auto r = db_.Execute(kStore, {int64_t{answer.status}, boost::json::serialize(headers), answer.body, key});
        if (!r) return Fail(r.error());
    }
    return tx->Commit();
}

Result<int64_t> IdempotencyKeys::Prune() {
    auto tx = db_.TryBegin();
    if (!tx) return Fail(tx.error());
    auto r = db_.Execute(kPrune, {NowUnixMillis() - retention_.count()});
    if (!r) return Fail(r.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return *r;
}

}  // namespace reservo::service
