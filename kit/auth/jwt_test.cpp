#include "kit/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <chrono>
#include <limits>
#include <string>

#include "kit/auth/jwks.hpp"

namespace reservo::auth {
namespace {

namespace bj = boost::json;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr int64_t kNow = 1'800'000'000;

// Two keys for the whole suite: RSA key generation takes a while.
const SigningKey& MainKey() {
    static const SigningKey key = *SigningKey::Generate();
    return key;
}
const SigningKey& OtherKey() {
    static const SigningKey key = *SigningKey::Generate();
    return key;
}

Jwks MainSet() {
    Jwks set;
    set.Add(MainKey().Public());
    return set;
}

VerifyOptions Options(int64_t now = kNow) {
    VerifyOptions o{.issuer = "https://auth.reservo", .audience = "reservo-api"};
    o.now = [now] { return system_clock::time_point(seconds(now)); };
    return o;
}

bj::object Claims() {
    return {{"iss", "https://auth.reservo"},
            {"aud", "reservo-api"},
            {"sub", "user-42"},
            {"scope", "reservations:read  reservations:write"},
            {"iat", kNow - 10},
            {"exp", kNow + 300}};
}

// A token with any header and payload text, RS256-signed by `key`: for the attacks a real signer would not make.
std::string SignRaw(const SigningKey& key, std::string_view header, std::string_view payload) {
    std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get());
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return input + "." + Base64UrlEncode(sig);
}

std::string Header(std::string_view kid) {
    return bj::serialize(bj::object{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}});
}

TokenErrorKind KindOf(std::string_view token, const VerifyOptions& options = Options()) {
    auto r = Verify(token, MainSet(), options);
    EXPECT_FALSE(r.has_value()) << "accepted: " << token.substr(0, 80);
    return r ? TokenErrorKind::kMalformed : r.error().kind;
}

std::string Token(const bj::object& claims) { return *Sign(MainKey(), claims); }

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        std::string text = Base64UrlEncode(bytes);
        EXPECT_EQ(text.find_first_of("=+/"), std::string::npos) << text;
        auto back = Base64UrlDecode(text);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, bytes);
        bytes.push_back(static_cast<char>(0xfb + i));
    }
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, DecodingIsStrict) {
    EXPECT_FALSE(Base64UrlDecode("QQ=="));  // padding
    EXPECT_FALSE(Base64UrlDecode("QQ+/"));  // standard alphabet
    EXPECT_FALSE(Base64UrlDecode("Q Q"));
    EXPECT_FALSE(Base64UrlDecode("QUJDR"));  // 5 characters cannot end a group
    EXPECT_FALSE(Base64UrlDecode("QR"));     // nonzero unused bits: a second spelling of "A"
    EXPECT_EQ(*Base64UrlDecode("QQ"), "A");
    EXPECT_EQ(*Base64UrlDecode(""), "");
}

TEST(SigningKey, HasAThumbprintKidAndAPublicJwk) {
    const SigningKey& key = MainKey();
    EXPECT_EQ(key.kid().size(), 43u);  // SHA-256, base64url, unpadded
    EXPECT_NE(key.kid(), OtherKey().kid());
    bj::object jwk = key.Public().ToJwk();
    EXPECT_EQ(jwk.at("kty"), "RSA");
    EXPECT_EQ(jwk.at("kid").as_string(), key.kid());
    EXPECT_EQ(jwk.at("use"), "sig");
    EXPECT_EQ(jwk.at("alg"), "RS256");
    EXPECT_EQ(jwk.at("e"), "AQAB");
    EXPECT_EQ(Base64UrlDecode(jwk.at("n").as_string())->size(), 256u);
    EXPECT_FALSE(SigningKey::Generate(1024));
}

TEST(SigningKey, KidIsTheRfc7638Thumbprint) {
    // RFC 7638 §3.1.
    constexpr std::string_view kN =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
        "BJECPebWKRXjBZCiFV4n3oknjhM"
        "stn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
        "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
        "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
        "kEgU8awapJzKnqDKgw";
    EXPECT_EQ(*JwkThumbprint(kN, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    bj::object jwk = MainKey().Public().ToJwk();
    EXPECT_EQ(*JwkThumbprint(jwk.at("n").as_string(), jwk.at("e").as_string()), MainKey().kid());
    // The RFC's key as a JWKS member: parsed and found under its own kid.
    auto set = Jwks::FromJson(
        {{"keys",
          bj::array{bj::object{{"kty", "RSA"}, {"n", kN}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}}}}});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_NE(set->Find("2011-04-29"), nullptr);
}

TEST(SigningKey, PemRoundTripKeepsKidAndSigns) {
    auto pem = MainKey().ToPem();
    ASSERT_TRUE(pem);
    EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----"));  // PKCS#8
    auto loaded = SigningKey::FromPem(*pem);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->kid(), MainKey().kid());
    auto token = Sign(*loaded, Claims());
    ASSERT_TRUE(token);
    EXPECT_TRUE(Verify(*token, MainSet(), Options()));
}

TEST(SigningKey, RejectsWhatIsNotAnRsaPrivateKey) {
    EXPECT_FALSE(SigningKey::FromPem("not a key"));
    EXPECT_FALSE(SigningKey::FromPem(""));
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ASSERT_NE(ec, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    auto r = SigningKey::FromPem(std::string_view(data, static_cast<size_t>(len)));
    BIO_free(bio);
    EVP_PKEY_free(ec);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not an RSA key"), std::string::npos);
}

TEST(Jwt, SignThenVerify) {
    std::string token = Token(Claims());
    auto decoded = Decode(token);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->header.at("alg"), "RS256");
    EXPECT_EQ(decoded->header.at("typ"), "JWT");
    EXPECT_EQ(decoded->header.at("kid").as_string(), MainKey().kid());

    auto claims = Verify(token, MainSet(), Options());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject, "user-42");
    EXPECT_EQ(claims->scopes, (std::set<std::string, std::less<>>{"reservations:read", "reservations:write"}));
    EXPECT_TRUE(claims->HasScope("reservations:write"));
    EXPECT_FALSE(claims->HasScope("admin"));
    EXPECT_EQ(claims->expires_at, kNow + 300);
    EXPECT_EQ(claims->raw, Claims());
}

TEST(Jwt, SignRefusesClaimsJsonCannotSpell) {
    bj::object claims = Claims();
    claims["nbf"] = std::numeric_limits<double>::infinity();  // what Boost.JSON makes of 1e999
    auto r = Sign(MainKey(), claims);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    claims["nbf"] = bj::array{bj::object{{"x", -std::numeric_limits<double>::infinity()}}};
    EXPECT_FALSE(Sign(MainKey(), claims));
}

TEST(Jwks, SerializeParseVerify) {
    Jwks published;
    published.Add(MainKey().Public());
    published.Add(OtherKey().Public());
    std::string body = published.Serialize();
    EXPECT_EQ(body.find("\"d\""), std::string::npos);  // never the private exponent

    auto parsed = Jwks::Parse(body);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->size(), 2u);
    ASSERT_NE(parsed->Find(MainKey().kid()), nullptr);
    EXPECT_EQ(parsed->Find(MainKey().kid())->ToJwk(), MainKey().Public().ToJwk());
    EXPECT_TRUE(Verify(Token(Claims()), *parsed, Options()));
    EXPECT_TRUE(Verify(*Sign(OtherKey(), Claims()), *parsed, Options()));
}

TEST(Jwks, SkipsKeysThatAreNotRsaSigningKeys) {
    bj::object rsa = MainKey().Public().ToJwk();
    bj::object enc = OtherKey().Public().ToJwk();
    enc["use"] = "enc";
    bj::object ps256 = OtherKey().Public().ToJwk();
    ps256["alg"] = "PS256";
    bj::object ec{{"kty", "EC"}, {"kid", "ec1"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}};
    bj::object oct{{"kty", "oct"}, {"kid", "h1"}, {"k", "c2VjcmV0"}};
    auto parsed = Jwks::FromJson({{"keys", bj::array{ec, enc, rsa, oct, ps256}}});
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->size(), 1u);
    EXPECT_NE(parsed->Find(MainKey().kid()), nullptr);
}

TEST(Jwks, RejectsBrokenSets) {
    EXPECT_FALSE(Jwks::Parse("[]"));
    EXPECT_FALSE(Jwks::Parse("{\"keys\":{}}"));
    EXPECT_FALSE(Jwks::Parse("{\"keys\":[1]}"));
    EXPECT_FALSE(Jwks::Parse("{\"keys\":["));
    bj::object rsa = MainKey().Public().ToJwk();
    EXPECT_FALSE(Jwks::FromJson({{"keys", bj::array{rsa, rsa}}}));  // kid twice
    bj::object bad_n = rsa;
    bad_n["n"] = "AQAB!";
    EXPECT_FALSE(Jwks::FromJson({{"keys", bj::array{bad_n}}}));
    bj::object small = rsa;
    small["n"] = Base64UrlEncode(std::string(128, '\xc1'));  // 1024 bits
    auto r = Jwks::FromJson({{"keys", bj::array{small}}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("1024 bits"), std::string::npos) << r.error().message;
    bj::object no_kid = rsa;
    no_kid.erase("kid");
    EXPECT_FALSE(Jwks::FromJson({{"keys", bj::array{no_kid}}}));
}

TEST(Jwt, TamperedPayloadOrSignatureIsABadSignature) {
    std::string token = Token(Claims());
    size_t dot1 = token.find('.');
    size_t dot2 = token.find('.', dot1 + 1);

    bj::object admin = Claims();
    admin["scope"] = "admin";
    std::string forged = token.substr(0, dot1 + 1) + Base64UrlEncode(bj::serialize(admin)) + token.substr(dot2);
    EXPECT_EQ(KindOf(forged), TokenErrorKind::kBadSignature);

    std::string sig = *Base64UrlDecode(token.substr(dot2 + 1));
    sig[10] ^= 0x01;
    EXPECT_EQ(KindOf(token.substr(0, dot2 + 1) + Base64UrlEncode(sig)), TokenErrorKind::kBadSignature);
    sig.pop_back();
    EXPECT_EQ(KindOf(token.substr(0, dot2 + 1) + Base64UrlEncode(sig)), TokenErrorKind::kBadSignature);
}

TEST(Jwt, AnotherKeyUnderTheSameKidIsABadSignature) {
    std::string token = SignRaw(OtherKey(), Header(MainKey().kid()), bj::serialize(Claims()));
    EXPECT_EQ(KindOf(token), TokenErrorKind::kBadSignature);
}

TEST(Jwt, UnknownKidIsItsOwnError) {
    auto r = Verify(*Sign(OtherKey(), Claims()), MainSet(), Options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TokenErrorKind::kUnknownKid);
    EXPECT_EQ(TokenErrorName(r.error().kind), "unknown_kid");
    EXPECT_EQ(KindOf(SignRaw(MainKey(), R"({"alg":"RS256"})", bj::serialize(Claims()))), TokenErrorKind::kMalformed);
}

TEST(Jwt, AlgNoneIsRefused) {
    std::string payload = Base64UrlEncode(bj::serialize(Claims()));
    for (std::string_view header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"none","kid":"x"})"}) {
        std::string base = Base64UrlEncode(header) + "." + payload;
        EXPECT_EQ(KindOf(base + "."), TokenErrorKind::kMalformed);  // empty signature
        auto r = Verify(base + ".AA", MainSet(), Options());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, TokenErrorKind::kAlgNotAllowed);
        EXPECT_NE(r.error().message.find("alg none"), std::string::npos) << r.error().message;
    }
    std::string no_alg = Base64UrlEncode(R"({"kid":"x"})") + "." + payload + ".AA";
    EXPECT_EQ(KindOf(no_alg), TokenErrorKind::kAlgNotAllowed);
    std::string lower = Base64UrlEncode(R"({"alg":"rs256"})") + "." + payload + ".AA";
    EXPECT_EQ(KindOf(lower), TokenErrorKind::kAlgNotAllowed);
}

TEST(Jwt, Hs256WithThePublicKeyAsSecretIsRefused) {
    // The classic confusion: a verifier that trusts the header would HMAC with the public key bytes.
    std::string secret = MainKey().Public().ToJwk().at("n").as_string().c_str();
    std::string header = bj::serialize(bj::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", MainKey().kid()}});
    std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(bj::serialize(Claims()));
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &mac_len),
              nullptr);
    std::string token = input + "." + Base64UrlEncode(std::string_view(reinterpret_cast<char*>(mac), mac_len));
    auto r = Verify(token, MainSet(), Options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TokenErrorKind::kAlgNotAllowed);
    EXPECT_NE(r.error().message.find("HS256"), std::string::npos) << r.error().message;
}

TEST(Jwt, ExpiryWithSkewEdges) {
    bj::object claims = Claims();
    claims["exp"] = kNow;
    std::string token = Token(claims);
    EXPECT_TRUE(Verify(token, MainSet(), Options(kNow + 29)));  // within the 30 s skew
    EXPECT_EQ(KindOf(token, Options(kNow + 30)), TokenErrorKind::kExpired);
    VerifyOptions strict = Options(kNow);
    strict.clock_skew = seconds(0);
    EXPECT_EQ(KindOf(token, strict), TokenErrorKind::kExpired);  // exp is the first invalid second
    strict.now = [] { return system_clock::time_point(seconds(kNow - 1)); };
    EXPECT_TRUE(Verify(token, MainSet(), strict));

    claims.erase("exp");
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kMalformed);
    claims["exp"] = std::to_string(kNow + 300);
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kMalformed);
    claims["exp"] = kNow + 300.5;
    EXPECT_TRUE(Verify(Token(claims), MainSet(), Options()));
}

TEST(Jwt, NotBeforeAndIssuedAtWithSkewEdges) {
    bj::object claims = Claims();
    claims["nbf"] = kNow + 30;
    EXPECT_TRUE(Verify(Token(claims), MainSet(), Options()));
    claims["nbf"] = kNow + 31;
    auto r = Verify(Token(claims), MainSet(), Options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TokenErrorKind::kNotYetValid);
    EXPECT_NE(r.error().message.find(std::to_string(kNow + 31)), std::string::npos);
    EXPECT_TRUE(Verify(Token(claims), MainSet(), Options(kNow + 1)));

    claims = Claims();
    claims["iat"] = kNow + 31;
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kNotYetValid);
    claims["iat"] = "yesterday";
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kMalformed);
}

TEST(Jwt, IssuerMustMatch) {
    bj::object claims = Claims();
    claims["iss"] = "https://evil.example";
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongIssuer);
    claims.erase("iss");
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongIssuer);
    VerifyOptions none = Options();
    none.issuer.clear();
    EXPECT_EQ(KindOf(Token(Claims()), none), TokenErrorKind::kWrongIssuer);  // an unset issuer matches nothing
}

TEST(Jwt, AudienceMayBeAStringOrAnArray) {
    bj::object claims = Claims();
    claims["aud"] = bj::array{"billing", "reservo-api"};
    EXPECT_TRUE(Verify(Token(claims), MainSet(), Options()));
    claims["aud"] = bj::array{"billing", 7};
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongAudience);
    claims["aud"] = "billing";
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongAudience);
    claims["aud"] = bj::array{};
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongAudience);
    claims.erase("aud");
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kWrongAudience);
}

TEST(Jwt, MalformedTokensAreMalformedNeverACrash) {
    std::string token = Token(Claims());
    size_t dot1 = token.find('.');
    size_t dot2 = token.find('.', dot1 + 1);
    std::string header = token.substr(0, dot1);
    std::string payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
    std::string sig = token.substr(dot2 + 1);
    auto obj = [](std::string_view json) { return Base64UrlEncode(json); };

    const std::string cases[] = {
        "",
        ".",
        "..",
        header + "." + payload,                        // 2 parts
        token + "." + sig,                             // 4 parts
        header + ".." + payload + "." + sig,           // doubled separator
        header + "." + payload + "." + sig + "=",      // padding
        header + "." + payload + "=." + sig,           // padding
        header + "." + payload + "." + sig.substr(1),  // impossible length or wrong bits
        "!" + header + "." + payload + "." + sig,      // bad base64
        header + "." + payload + "." + sig + " ",      // white space
        obj("{not json") + "." + payload + "." + sig,  // header not JSON
        obj("[1,2]") + "." + payload + "." + sig,      // header not an object
        header + "." + obj("\"just a string\"") + "." + sig,
        header + "." + obj("{\"a\":1") + "." + sig,
        obj("{\"alg\":\"RS256\",\"kid\":\"k\"}\xff") + "." + payload + "." + sig,  // invalid UTF-8
        std::string(kMaxTokenBytes + 1, 'A'),
        header + "." + Base64UrlEncode(std::string(kMaxTokenBytes, 'x')) + "." + sig,    // huge
        obj(std::string(100, '[') + std::string(100, ']')) + "." + payload + "." + sig,  // deep
    };
    for (const std::string& t : cases) {
        auto r = Verify(t, MainSet(), Options());
        ASSERT_FALSE(r) << t.substr(0, 80);
        EXPECT_EQ(r.error().kind, TokenErrorKind::kMalformed) << t.substr(0, 80) << ": " << r.error().message;
        EXPECT_FALSE(r.error().message.empty());
    }
    // The last well-formed case: a signed token whose claims have the wrong types.
    bj::object claims = Claims();
    claims["sub"] = 42;
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kMalformed);
    claims = Claims();
    claims["scope"] = bj::array{"a"};
    EXPECT_EQ(KindOf(Token(claims)), TokenErrorKind::kMalformed);
    std::string crit = SignRaw(MainKey(), R"({"alg":"RS256","kid":")" + MainKey().kid() + R"(","crit":["exp"]})",
                               bj::serialize(Claims()));
    EXPECT_EQ(KindOf(crit), TokenErrorKind::kMalformed);
}

TEST(Jwt, ErrorMessagesAreSafeForAHeader) {
    std::string payload = Base64UrlEncode(bj::serialize(Claims()));
    std::string token = Base64UrlEncode(R"({"alg":"x\"y\n)" + std::string(200, 'z') + R"("})") + "." + payload + ".AA";
    auto r = Verify(token, MainSet(), Options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TokenErrorKind::kAlgNotAllowed);
    EXPECT_EQ(r.error().message.find_first_of("\"\n"), std::string::npos) << r.error().message;
    EXPECT_LT(r.error().message.size(), 80u);
}

}  // namespace
}  // namespace reservo::auth
