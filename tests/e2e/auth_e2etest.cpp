// OAuth2 and JWT, end to end, on system `animal-hospital` (the system with a token service): the
// token endpoint (both grants, both kinds of client authentication, every refusal), the published
// key set, and the gateway refusing every forged token — none, HS256, a foreign key, a tampered
// payload, expired, not yet valid, wrong issuer or audience, missing scope — with 401/403,
// `WWW-Authenticate: Bearer error=...` and problem+json, while a good token passes. Then key
// rotation: tokens of the old key keep working, the new key is picked up, and secrets never reach
// the data directory in plain text.
//
// Tokens signed with the system's real key (to isolate one bad claim at a time) are made with the
// key the token service keeps in its store, read from the data directory as an operator could.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kit/auth/jwks.hpp"
#include "kit/auth/jwt.hpp"
#include "kit/auth/secret.hpp"
#include "kit/store/sqlite.hpp"
#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kIssuer = "reservo-animal-hospital";
constexpr std::string_view kAudience = "animal-hospital";
constexpr std::string_view kGuarded = "/reservations";

int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class AuthE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "animal-hospital"}); }

    // A call through the gateway with exactly this Authorization header (none when empty).
    Reply WithAuthorization(std::string method, std::string target, const std::string& authorization,
                            std::string body = {}) {
        http::Request req;
        req.method = std::move(method);
        req.target = std::move(target);
        if (!authorization.empty()) req.headers.Set("Authorization", authorization);
        if (!body.empty()) req.headers.Set("Content-Type", "application/json");
        req.body = std::move(body);
        return http_.Call(gateway(), std::move(req));
    }
    Reply WithToken(std::string method, std::string target, const std::string& token, std::string body = {}) {
        return WithAuthorization(std::move(method), std::move(target), "Bearer " + token, std::move(body));
    }

    // The signing key the token service uses now, from its store.
    auth::SigningKey RealKey() {
        auto db = store::SqliteDatabase::Open(system().data_dir() + "/animal-hospital/oauth.db");
        EXPECT_TRUE(db) << db.error().message;
        constexpr store::Sql kActive{"active_key", "SELECT pem FROM signing_keys ORDER BY created_ms DESC LIMIT 1"};
        auto row = (*db)->QueryOne(kActive);
        EXPECT_TRUE(row) << row.error().message;
        auto key = auth::SigningKey::FromPem(row->Text(0));
        EXPECT_TRUE(key) << key.error().message;
        return *key;
    }

    static bj::object GoodClaims() {
        const int64_t now = Now();
        return {{"iss", kIssuer},        {"aud", kAudience}, {"sub", "owner"}, {"client_id", "reservo-web"},
                {"scope", "read write"}, {"iat", now},       {"nbf", now},     {"exp", now + 300}};
    }

    std::string Signed(const bj::object& claims) {
        auto token = auth::Sign(RealKey(), claims);
        EXPECT_TRUE(token) << token.error().message;
        return token.value_or("");
    }

    // 401 with a Bearer challenge naming `error`, as problem+json.
    static void ExpectRefused(const Reply& r, int status, std::string_view error, std::string_view says = {}) {
        EXPECT_EQ(r.status, status) << r.Describe();
        const std::string challenge = r.Header("WWW-Authenticate");
        EXPECT_TRUE(challenge.starts_with("Bearer realm=\"animal-hospital\"")) << challenge;
        EXPECT_NE(challenge.find("error=\"" + std::string(error) + "\""), std::string::npos) << challenge;
        EXPECT_TRUE(r.Header("Content-Type").starts_with("application/problem+json")) << r.Describe();
        bj::value v = r.Json();
        ASSERT_TRUE(v.is_object()) << r.Describe();
        EXPECT_EQ(AsInt(v.as_object()["status"]), status);
        EXPECT_EQ(AsString(v.as_object()["title"]), status == 401 ? "Unauthorized" : "Forbidden");
        if (!says.empty()) {
            EXPECT_NE(AsString(v.as_object()["detail"]).find(says), std::string::npos) << r.Describe();
        }
    }
};

// ---- the token endpoint ----

TEST_F(AuthE2E, PasswordGrantWithBasicClientGivesABearerTokenTheGatewayAccepts) {
    Reply r = RequestToken(gateway(), "grant_type=password&username=owner&password=owner-pass");
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.Header("Cache-Control"), "no-store");
    bj::object o = r.Json().as_object();
    EXPECT_EQ(AsString(o["token_type"]), "bearer");
    EXPECT_EQ(AsInt(o["expires_in"]), 3600);
    EXPECT_EQ(AsString(o["scope"]), "read write");
    const std::string token = AsString(o["access_token"]);
    auto decoded = auth::Decode(token);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(AsString(decoded->header["alg"]), "RS256");
    EXPECT_EQ(AsString(decoded->claims["sub"]), "owner");
    EXPECT_EQ(AsString(decoded->claims["iss"]), kIssuer);
    EXPECT_EQ(AsString(decoded->claims["aud"]), kAudience);

    Reply listed = WithToken("GET", std::string(kGuarded), token);
    EXPECT_EQ(listed.status, 200) << listed.Describe();
    Reply created =
        WithToken("POST", "/reservations", token,
                  R"({"reservatorName":"Jackson","reservationDate":"2030-04-30","phoneNumber":"010-1234-5678"})");
    EXPECT_EQ(created.status, 201) << created.Describe();
}

// The web console tells a browser how to get a token (the demo client the YAML ships), and draws
// the system: the token service first, calls and event flows from the YAML.
TEST_F(AuthE2E, TheConsoleSaysHowToGetATokenAndDrawsTheSystem) {
    Reply r = WithAuthorization("GET", "/console/api/system", "");  // the console's data needs no token
    ASSERT_EQ(r.status, 200) << r.Describe();
    const bj::value picture = r.Json();
    const bj::object& auth = picture.at("auth").as_object();
    EXPECT_EQ(AsString(auth.at("tokenUrl")), "/oauth/token");
    EXPECT_EQ(AsString(auth.at("grantType")), "password");
    const std::string client = AsString(auth.at("clientId")) + ":" + AsString(auth.at("clientSecret"));
    EXPECT_EQ(client, kDemoClient);
    Reply token = RequestToken(gateway(), "grant_type=password&username=owner&password=owner-pass", client);
    EXPECT_EQ(token.status, 200) << token.Describe();

    std::vector<std::string> names;
    for (const auto& s : picture.at("services").as_array()) names.push_back(AsString(s.at("name")));
    EXPECT_EQ(names, (std::vector<std::string>{"oauth", "reservation", "diagnosis", "acceptance", "notice", "lookup"}));
    const bj::array& services = picture.at("services").as_array();
    EXPECT_EQ(bj::serialize(services[0].at("routes")), R"(["/oauth/**","/.well-known/jwks.json"])");
    EXPECT_EQ(bj::serialize(services[1].at("calls")), R"(["diagnosis"])");
    EXPECT_EQ(bj::serialize(services[1].at("publishes")),
              R"(["ReservationReserved","ReservationChanged","ReservationCanceled","ReservationAborted"])");
    EXPECT_EQ(bj::serialize(services[3].at("consumes")), R"(["Treated"])");
    EXPECT_EQ(bj::serialize(services[5].at("consumes")),
              R"(["ReservationReserved","ReservationChanged","ReservationCanceled","Treated","Billed","Paid"])");

    Reply status = WithAuthorization("GET", "/console/api/status", "");
    ASSERT_EQ(status.status, 200) << status.Describe();
    const bj::value live = status.Json();
    ASSERT_EQ(live.at("services").as_array().size(), 6u) << live;
    for (const auto& s : live.at("services").as_array()) EXPECT_EQ(AsString(s.at("health")), "UP") << s;
}

TEST_F(AuthE2E, WhatRealClientsSendIsTaken) {
    // An empty scope counts as none (all the account may have); the media type is case-insensitive;
    // a form client_id that repeats the Basic one is fine.
    http::Request req;
    req.method = "POST";
    req.target = "/oauth/token";
    req.headers.Set("Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8");
    req.headers.Set("Authorization", "Basic " + auth::Base64Encode(kDemoClient));
    req.body = "grant_type=password&username=owner&password=owner-pass&scope=&client_id=reservo-web";
    Reply r = http_.Call(gateway(), std::move(req));
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(AsString(r.Json().as_object()["scope"]), "read write");
}

TEST_F(AuthE2E, ClientCredentialsGrantWithFormClientAuthentication) {
    Reply r =
        RequestToken(gateway(), "grant_type=client_credentials&client_id=reservo-web&client_secret=reservo-web-secret",
                     /*client=*/"");
    ASSERT_EQ(r.status, 200) << r.Describe();
    const std::string token = AsString(r.Json().as_object()["access_token"]);
    EXPECT_EQ(AsString(auth::Decode(token)->claims["sub"]), "reservo-web");
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), token).status, 200);
}

TEST_F(AuthE2E, TheTokenEndpointRefusesWhatRfc6749Refuses) {
    auto expect_error = [&](const Reply& r, int status, std::string_view error) {
        EXPECT_EQ(r.status, status) << r.Describe();
        bj::value v = r.Json();
        ASSERT_TRUE(v.is_object()) << r.Describe();
        EXPECT_EQ(AsString(v.as_object()["error"]), error) << r.Describe();
        for (const char* secret : {"owner-pass", "reservo-web-secret", "not-the-secret"}) {
            EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " echoed: " << r.body;
        }
    };
    Reply wrong_secret = RequestToken(gateway(), "grant_type=client_credentials", "reservo-web:not-the-secret");
    expect_error(wrong_secret, 401, "invalid_client");
    EXPECT_TRUE(wrong_secret.Header("WWW-Authenticate").starts_with("Basic")) << wrong_secret.Describe();
    expect_error(RequestToken(gateway(), "grant_type=client_credentials", "nobody:x"), 401, "invalid_client");
    Reply anonymous = RequestToken(gateway(), "grant_type=client_credentials", "");
    expect_error(anonymous, 401, "invalid_client");
    EXPECT_TRUE(anonymous.Header("WWW-Authenticate").starts_with("Basic")) << anonymous.Describe();
    // A client that authenticates in the form is told so with 400 (RFC 6749 §5.2).
    expect_error(RequestToken(gateway(), "grant_type=client_credentials&client_id=reservo-web&client_secret=no", ""),
                 400, "invalid_client");
    expect_error(RequestToken(gateway(), "grant_type=password&username=owner&password=wrong"), 400, "invalid_grant");
    expect_error(RequestToken(gateway(), "grant_type=password&username=nobody&password=owner-pass"), 400,
                 "invalid_grant");
    expect_error(RequestToken(gateway(), "grant_type=password&username=owner"), 400, "invalid_request");
    expect_error(RequestToken(gateway(), "grant_type=authorization_code&code=x"), 400, "unsupported_grant_type");
    expect_error(RequestToken(gateway(), "username=owner&password=owner-pass"), 400, "invalid_request");
    expect_error(RequestToken(gateway(), "grant_type=password&username=owner&password=owner-pass&scope=admin"), 400,
                 "invalid_scope");
    expect_error(RequestToken(gateway(), "grant_type=client_credentials&grant_type=password"), 400, "invalid_request");
    // Basic and form at once.
    expect_error(RequestToken(gateway(), "grant_type=client_credentials&client_id=reservo-web&client_secret=x"), 400,
                 "invalid_request");
    // Credentials in the URL are refused (they would be logged on the way).
    http::Request in_url;
    in_url.method = "POST";
    in_url.target = "/oauth/token?grant_type=password&username=owner&password=owner-pass";
    in_url.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    in_url.headers.Set("Authorization", "Basic " + auth::Base64Encode(kDemoClient));
    expect_error(http_.Call(gateway(), std::move(in_url)), 400, "invalid_request");
    // JSON is not what the token endpoint takes.
    http::Request json;
    json.method = "POST";
    json.target = "/oauth/token";
    json.headers.Set("Content-Type", "application/json");
    json.headers.Set("Authorization", "Basic " + auth::Base64Encode(kDemoClient));
    json.body = R"({"grant_type":"client_credentials"})";
    expect_error(http_.Call(gateway(), std::move(json)), 400, "invalid_request");
}

TEST_F(AuthE2E, TheKeySetIsPublicAndHoldsOnlyPublicKeys) {
    Reply r = WithAuthorization("GET", "/.well-known/jwks.json", "");
    ASSERT_EQ(r.status, 200) << r.Describe();
    auto set = auth::Jwks::Parse(r.body);
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_GE(set->size(), 1u);
    EXPECT_NE(set->Find(RealKey().kid()), nullptr);
    for (const char* secret_member : {"\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""}) {
        EXPECT_EQ(r.body.find(secret_member), std::string::npos) << secret_member << " in " << r.body;
    }
}

// ---- forged tokens at the gateway ----

TEST_F(AuthE2E, NoTokenOrNotABearerTokenIs401) {
    ExpectRefused(WithAuthorization("GET", std::string(kGuarded), ""), 401, "invalid_request");
    ExpectRefused(WithAuthorization("GET", std::string(kGuarded), "Basic " + auth::Base64Encode(kDemoClient)), 401,
                  "invalid_request");
    ExpectRefused(WithAuthorization("GET", std::string(kGuarded), "Bearer"), 401, "invalid_request");
    ExpectRefused(WithAuthorization("GET", std::string(kGuarded), "Bearer a b"), 401, "invalid_request");
    ExpectRefused(WithToken("GET", std::string(kGuarded), "not.a.jwt"), 401, "invalid_token");
    // Every routed service is guarded, writes included, and nothing was written.
    for (const char* path : {"/medicalRecords", "/financialManagements", "/notices", "/reservationStats"}) {
        ExpectRefused(WithAuthorization("GET", path, ""), 401, "invalid_request");
    }
    const int64_t before = TotalElements("/reservations");
    ExpectRefused(WithAuthorization("POST", "/reservations", "",
                                    R"({"reservatorName":"Mallory","reservationDate":"2030-04-30","phoneNumber":"1"})"),
                  401, "invalid_request");
    EXPECT_EQ(TotalElements("/reservations"), before);
}

TEST_F(AuthE2E, AlgNoneIsRefused) {
    bj::object header{{"alg", "none"}, {"typ", "JWT"}};
    std::string token =
        auth::Base64UrlEncode(bj::serialize(header)) + "." + auth::Base64UrlEncode(bj::serialize(GoodClaims())) + ".";
    ExpectRefused(WithToken("GET", std::string(kGuarded), token), 401, "invalid_token");
    ExpectRefused(WithToken("GET", std::string(kGuarded), token.substr(0, token.size() - 1)), 401, "invalid_token");
}

TEST_F(AuthE2E, Hs256SignedWithThePublicKeyIsRefused) {
    // The classic confusion: HMAC keyed with the RSA public key everyone can fetch.
    Reply jwks = WithAuthorization("GET", "/.well-known/jwks.json", "");
    ASSERT_EQ(jwks.status, 200);
    bj::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", RealKey().kid()}};
    std::string input =
        auth::Base64UrlEncode(bj::serialize(header)) + "." + auth::Base64UrlEncode(bj::serialize(GoodClaims()));
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = 0;
    ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, jwks.body.data(), jwks.body.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &len),
              nullptr);
    std::string token = input + "." + auth::Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
    ExpectRefused(WithToken("GET", std::string(kGuarded), token), 401, "invalid_token", "RS256");
}

TEST_F(AuthE2E, AForeignKeyIsRefusedWhateverKidItClaims) {
    auto foreign = auth::SigningKey::Generate();
    ASSERT_TRUE(foreign);
    auto own_kid = auth::Sign(*foreign, GoodClaims());
    ASSERT_TRUE(own_kid);
    ExpectRefused(WithToken("GET", std::string(kGuarded), *own_kid), 401, "invalid_token");
    // The same foreign signature under the real kid: the signature does not match.
    auto parts = auth::Decode(*own_kid);
    ASSERT_TRUE(parts);
    bj::object header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", RealKey().kid()}};
    std::string payload = own_kid->substr(own_kid->find('.') + 1);
    std::string token = auth::Base64UrlEncode(bj::serialize(header)) + "." + payload;
    ExpectRefused(WithToken("GET", std::string(kGuarded), token), 401, "invalid_token");
}

TEST_F(AuthE2E, ATamperedPayloadIsRefused) {
    const std::string good = UserToken(gateway(), "read");
    ASSERT_FALSE(good.empty());
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), good).status, 200);
    // Same header and signature; the payload now claims the write scope.
    bj::object claims = auth::Decode(good)->claims;
    claims["scope"] = "read write";
    const size_t first = good.find('.'), second = good.rfind('.');
    std::string tampered =
        good.substr(0, first + 1) + auth::Base64UrlEncode(bj::serialize(claims)) + good.substr(second);
    ExpectRefused(WithToken("POST", "/reservations", tampered,
                            R"({"reservatorName":"Mallory","reservationDate":"2030-04-30","phoneNumber":"1"})"),
                  401, "invalid_token");
    // One flipped signature character.
    std::string flipped = good;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    ExpectRefused(WithToken("GET", std::string(kGuarded), flipped), 401, "invalid_token");
}

TEST_F(AuthE2E, ExpiredNotYetValidWrongIssuerAndWrongAudienceAreRefused) {
    ASSERT_EQ(WithToken("GET", std::string(kGuarded), Signed(GoodClaims())).status, 200);  // the control

    bj::object expired = GoodClaims();
    expired["exp"] = Now() - 120;  // beyond the 30 s skew
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(expired)), 401, "invalid_token", "expired");

    bj::object early = GoodClaims();
    early["nbf"] = Now() + 600;
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(early)), 401, "invalid_token");

    bj::object issuer = GoodClaims();
    issuer["iss"] = "someone-else";
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(issuer)), 401, "invalid_token");

    bj::object audience = GoodClaims();
    audience["aud"] = "hotel";
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(audience)), 401, "invalid_token");

    bj::object no_exp = GoodClaims();
    no_exp.erase("exp");
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(no_exp)), 401, "invalid_token");
}

TEST_F(AuthE2E, AValidTokenWithoutTheRouteScopeIs403) {
    const std::string read_only = UserToken(gateway(), "read");
    ASSERT_FALSE(read_only.empty());
    EXPECT_EQ(AsString(auth::Decode(read_only)->claims["scope"]), "read");
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), read_only).status, 200);
    const int64_t before = TotalElements("/reservations");
    Reply r = WithToken("POST", "/reservations", read_only,
                        R"({"reservatorName":"Reader","reservationDate":"2030-04-30","phoneNumber":"1"})");
    ExpectRefused(r, 403, "insufficient_scope", "write");
    EXPECT_NE(r.Header("WWW-Authenticate").find("scope=\"write\""), std::string::npos);
    EXPECT_EQ(TotalElements("/reservations"), before);

    bj::object write_only = GoodClaims();
    write_only["scope"] = "write";
    ExpectRefused(WithToken("GET", std::string(kGuarded), Signed(write_only)), 403, "insufficient_scope", "read");
}

TEST_F(AuthE2E, PreflightAndProbesNeedNoToken) {
    http::Request preflight;
    preflight.method = "OPTIONS";
    preflight.target = "/reservations";
    preflight.headers.Set("Origin", "http://example.test");
    preflight.headers.Set("Access-Control-Request-Method", "POST");
    EXPECT_EQ(http_.Call(gateway(), std::move(preflight)).status, 204);
    EXPECT_EQ(WithAuthorization("GET", "/actuator/health/readiness", "").status, 200);
}

// ---- keys over time, and secrets at rest ----

TEST_F(AuthE2E, ARotatedKeyKeepsOldTokensValidAndNewOnesArePickedUp) {
    const std::string before = UserToken(gateway());
    ASSERT_FALSE(before.empty());
    const std::string old_kid = AsString(auth::Decode(before)->header["kid"]);

    Reply rotated = CallService("oauth", "POST", "/actuator/keys/rotate");
    ASSERT_EQ(rotated.status, 200) << rotated.Describe();
    const std::string new_kid = AsString(rotated.Json().as_object()["kid"]);
    EXPECT_NE(new_kid, old_kid);
    // Not reachable from outside.
    EXPECT_EQ(WithToken("POST", "/actuator/keys/rotate", before).status, 404);

    const std::string after = UserToken(gateway());
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(AsString(auth::Decode(after)->header["kid"]), new_kid);
    // A forged kid just before makes the gateway fetch the key set; the genuinely new kid right
    // after is still checked against a fresh set, not refused for the fetch it just made.
    auto foreign = auth::SigningKey::Generate();
    ASSERT_TRUE(foreign);
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), *auth::Sign(*foreign, GoodClaims())).status, 401);
    // The gateway has never seen the new kid: it fetches the key set again and lets it through.
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), after).status, 200);
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), before).status, 200);

    auto set = auth::Jwks::Parse(WithAuthorization("GET", "/.well-known/jwks.json", "").body);
    ASSERT_TRUE(set);
    EXPECT_NE(set->Find(old_kid), nullptr);
    EXPECT_NE(set->Find(new_kid), nullptr);
    SetDefaultBearer(after);
}

TEST_F(AuthE2E, KeysSurviveARestartAndTheGatewayKeepsCheckingWhileTheTokenServiceIsDown) {
    const std::string token = UserToken(gateway());
    ASSERT_FALSE(token.empty());
    RestartService("oauth");
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), token).status, 200);
    const std::string again = UserToken(gateway());
    EXPECT_EQ(AsString(auth::Decode(again)->header["kid"]), AsString(auth::Decode(token)->header["kid"]));

    StopService("oauth");
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), token).status, 200);  // the gateway's cached key set
    auto foreign = auth::SigningKey::Generate();
    ASSERT_TRUE(foreign);
    // A key it does not know cannot be checked now: 503 (not 401 — it may be a new genuine key).
    Reply unknown = WithToken("GET", std::string(kGuarded), *auth::Sign(*foreign, GoodClaims()));
    EXPECT_EQ(unknown.status, 503) << unknown.Describe();
    EXPECT_EQ(RequestToken(gateway(), "grant_type=client_credentials").status, 503);
    StartService("oauth");
    EXPECT_EQ(RequestToken(gateway(), "grant_type=client_credentials").status, 200);

    // A token of a key the gateway has not seen yet, while the token service is down: the gateway
    // cannot tell, so it says 503 (try again), not 401 (a client would drop a good token).
    Reply rotated = CallService("oauth", "POST", "/actuator/keys/rotate");
    ASSERT_EQ(rotated.status, 200) << rotated.Describe();
    Reply direct = RequestToken(PortOf("oauth"), "grant_type=client_credentials");
    ASSERT_EQ(direct.status, 200) << direct.Describe();
    const std::string fresh = AsString(direct.Json().as_object()["access_token"]);
    StopService("oauth");
    Reply unsure = WithToken("GET", std::string(kGuarded), fresh);
    EXPECT_EQ(unsure.status, 503) << unsure.Describe();
    EXPECT_FALSE(unsure.Header("Retry-After").empty());
    StartService("oauth");
    EXPECT_EQ(WithToken("GET", std::string(kGuarded), fresh).status, 200);
}

TEST_F(AuthE2E, RotationsAreCappedSoTheKeySetStaysSmall) {
    Reply last;
    for (int i = 0; i < 12; ++i) {
        last = CallService("oauth", "POST", "/actuator/keys/rotate");
        if (last.status != 200) break;
    }
    EXPECT_EQ(last.status, 409) << last.Describe();
    auto set = auth::Jwks::Parse(WithAuthorization("GET", "/.well-known/jwks.json", "").body);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->size(), 8u);
    EXPECT_FALSE(UserToken(gateway()).empty());  // tokens are still issued
}

TEST_F(AuthE2E, SecretsAreNeverStoredOrLoggedInPlainText) {
    ASSERT_FALSE(UserToken(gateway()).empty());
    // A careless client puts the password in the URL: refused, and not logged either.
    http::Request careless;
    careless.method = "POST";
    careless.target = "/oauth/token?grant_type=password&username=owner&password=owner-pass";
    careless.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    EXPECT_EQ(http_.Call(gateway(), std::move(careless)).status, 400);
    // The store with the private signing key is for its owner only.
    const std::string store = system().data_dir() + "/animal-hospital/oauth.db";
    for (const std::string& file : {store, store + "-wal", store + "-shm"}) {
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) continue;
        EXPECT_EQ(st.st_mode & 077, 0u) << file << " is readable by others";
    }
    size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(system().data_dir())) {
        if (!entry.is_regular_file()) continue;
        ++files;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (const char* secret : {"owner-pass", "reservo-web-secret"}) {
            EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << entry.path();
        }
    }
    EXPECT_GT(files, 5u);
}

// ---- what services learn about the caller ----

// An HTTP server in the test process that answers every request with the headers it received, as
// JSON: it stands in for `notice` behind the real gateway.
class EchoServer final {
  public:
    EchoServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { Serve(); });
    }
    ~EchoServer() {
        stop_ = true;
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocking accept
        thread_.join();
    }
    int port() const { return acceptor_.local_endpoint().port(); }

  private:
    void Serve() {
        namespace beast = boost::beast;
        namespace bhttp = boost::beast::http;
        while (!stop_) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket socket(io_);
            acceptor_.accept(socket, ec);
            if (ec) return;
            // One request per connection, so the only blocking call is accept.
            beast::flat_buffer buffer;
            bhttp::request<bhttp::string_body> req;
            bhttp::read(socket, buffer, req, ec);
            if (ec) continue;
            bj::object headers;
            for (const auto& field : req) headers[std::string(field.name_string())] = std::string(field.value());
            bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
            res.set(bhttp::field::content_type, "application/json");
            res.body() = bj::serialize(headers);
            res.keep_alive(false);
            res.prepare_payload();
            bhttp::write(socket, res, ec);
        }
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class IdentityE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() {
        echo_ = std::make_unique<EchoServer>();
        StartSystem({.system = "animal-hospital",
                     .env = {{"RESERVO_SERVICES_NOTICE_URL", "http://127.0.0.1:" + std::to_string(echo_->port())}}});
    }
    static void TearDownTestSuite() {
        SystemTest::TearDownTestSuite();
        echo_.reset();
    }
    static std::unique_ptr<EchoServer> echo_;
};
std::unique_ptr<EchoServer> IdentityE2E::echo_;

TEST_F(IdentityE2E, ServicesLearnTheVerifiedSubjectAndScopesNeverAClientsClaim) {
    http::Request req;
    req.method = "GET";
    req.target = "/notices";
    req.headers.Set("Authorization", "Bearer " + UserToken(gateway(), "read"));
    req.headers.Set("X-Auth-Subject", "admin");  // a client speaking for someone else
    req.headers.Set("X-Auth-Scopes", "read write admin");
    req.headers.Set("X-Auth-Client", "trusted-backend");
    Reply r = http_.Call(gateway(), std::move(req));
    ASSERT_EQ(r.status, 200) << r.Describe();
    bj::object seen = r.Json().as_object();
    EXPECT_EQ(AsString(seen["X-Auth-Subject"]), "owner") << r.body;
    EXPECT_EQ(AsString(seen["X-Auth-Scopes"]), "read") << r.body;
    EXPECT_EQ(AsString(seen["X-Auth-Client"]), "reservo-web") << r.body;
    EXPECT_TRUE(AsString(seen["Authorization"]).starts_with("Bearer ")) << r.body;

    // A client-credentials token speaks for the client itself.
    Reply token = RequestToken(gateway(), "grant_type=client_credentials");
    ASSERT_EQ(token.status, 200) << token.Describe();
    http::Request as_client;
    as_client.method = "GET";
    as_client.target = "/notices";
    as_client.headers.Set("Authorization", "Bearer " + AsString(token.Json().as_object()["access_token"]));
    Reply c = http_.Call(gateway(), std::move(as_client));
    ASSERT_EQ(c.status, 200) << c.Describe();
    EXPECT_EQ(AsString(c.Json().as_object()["X-Auth-Subject"]), "reservo-web") << c.body;
}

// ---- accounts from the environment, as a Kubernetes Secret sets them ----

TEST(OAuthAccounts, ThePasswordComesFromTheEnvironmentAndOnlyItsHashIsStored) {
    std::string error;
    auto oauth = ServedService::Start({.target = "animal-hospital/oauth",
                                       .env = {{"RESERVO_SERVICES_OAUTH_USERS_OWNER_PASSWORD", "from-a-secret"},
                                               {"RESERVO_SERVICES_OAUTH_CLIENTS_RESERVO_WEB_SECRET", "web-secret-2"}}},
                                      &error);
    ASSERT_TRUE(oauth) << error;
    EXPECT_EQ(RequestToken(oauth->port(), "grant_type=password&username=owner&password=owner-pass",
                           "reservo-web:web-secret-2")
                  .status,
              400);
    EXPECT_EQ(RequestToken(oauth->port(), "grant_type=client_credentials").status, 401);  // the YAML's secret
    Reply ok = RequestToken(oauth->port(), "grant_type=password&username=owner&password=from-a-secret",
                            "reservo-web:web-secret-2");
    EXPECT_EQ(ok.status, 200) << ok.Describe();

    auto db = store::SqliteDatabase::Open(oauth->data_dir() + "/oauth.db");
    ASSERT_TRUE(db) << db.error().message;
    constexpr store::Sql kHashes{"hashes", "SELECT kind, name, secret_hash FROM accounts ORDER BY kind"};
    auto rows = (*db)->Query(kHashes);
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[1].Text(1), "owner");
    EXPECT_TRUE(auth::VerifySecret("from-a-secret", (*rows)[1].Text(2)));
    EXPECT_TRUE((*rows)[1].Text(2).starts_with("scrypt$"));
    EXPECT_TRUE(auth::VerifySecret("web-secret-2", (*rows)[0].Text(2)));
}

TEST(OAuthAccounts, AUserNamedLikeAClientIsRefusedAtStart) {
    std::ifstream in(SourceDir() + "/systems/animal-hospital/system.yaml");
    std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string user = "    users:\n      owner:";
    ASSERT_NE(yaml.find(user), std::string::npos);
    yaml.replace(yaml.find(user), user.size(), "    users:\n      reservo-web:");
    const std::string path =
        std::filesystem::temp_directory_path() / ("reservo-clash-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(path) << yaml;
    std::string error;
    auto oauth = ServedService::Start({.target = "animal-hospital/oauth", .args = {"--config", path}}, &error);
    std::filesystem::remove(path);
    EXPECT_FALSE(oauth);
    EXPECT_NE(error.find("users.reservo-web: a user may not have the name of a client"), std::string::npos) << error;
}

}  // namespace
}  // namespace reservo::e2e
