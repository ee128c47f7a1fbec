// Fuzzes the JWT parser and verifier (kit/auth/jwt.hpp) with a key generated at start-up. Aborts when
//  - a failure has no message, or Decode fails with anything but kMalformed,
//  - Decode accepts a token and its parts do not re-encode to the token's own text,
//  - Verify accepts the input at all (no input can carry a signature from a key made in this process),
//  - the input, when it is a JSON object, signed as claims, does not decode to the same claims, or is
//    refused for a reason a genuine token cannot have (alg, kid, signature),
//  - that signed token with any one byte changed is still accepted,
//  - the token endpoint's client credentials (kit/auth/secret.hpp): base64 that decodes but does not
//    encode back to the same text, or Basic credentials parsed with an empty id.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kit/auth/jwt.hpp"
#include "kit/auth/secret.hpp"

namespace {

namespace auth = reservo::auth;
namespace bj = boost::json;

[[noreturn]] void Violated(const char* what, std::string_view detail) {
    std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

struct Fixture {
    auth::SigningKey key = *auth::SigningKey::Generate();
    auth::Jwks keys;
    auth::VerifyOptions options{.issuer = "iss", .audience = "aud"};
    Fixture() {
        keys.Add(key.Public());
        options.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)); };
    }
};

void CheckCredentials(std::string_view input) {
    if (auto bytes = auth::Base64Decode(input); bytes && auth::Base64Encode(*bytes) != input)
        Violated("base64 decoded to bytes that do not encode back", input);
    for (std::string header : {"Basic " + std::string(input), "Basic " + auth::Base64Encode(input)}) {
        if (auto basic = auth::ParseBasic(header); basic && basic->id.empty())
            Violated("Basic with an empty id", input);
    }
}

void CheckDecode(std::string_view token) {
    auto decoded = auth::Decode(token);
    if (!decoded) {
        if (decoded.error().kind != auth::TokenErrorKind::kMalformed) Violated("Decode failed not as malformed", token);
        if (decoded.error().message.empty()) Violated("failure without a message", token);
        return;
    }
    std::string again = std::string(decoded->signing_input) + "." + auth::Base64UrlEncode(decoded->signature);
    if (again != token) Violated("decoded parts do not spell the token", token);
    size_t dot = token.find('.');
    if (bj::parse(*auth::Base64UrlDecode(token.substr(0, dot))) != bj::value(decoded->header))
        Violated("header differs", token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Fixture f;
    std::string_view input(reinterpret_cast<const char*>(data), size);

    CheckDecode(input);
    CheckCredentials(input);
    auto verified = auth::Verify(input, f.keys, f.options);
    if (verified) Violated("Verify accepted a token it never signed", input);
    if (verified.error().message.empty()) Violated("failure without a message", input);

    boost::system::error_code ec;
    bj::value claims = bj::parse(input, ec);
    if (ec || !claims.is_object()) return 0;
    auto token = auth::Sign(f.key, claims.get_object());
    if (!token && token.error().code != reservo::Code::kInvalidArgument) Violated("Sign failed", token.error().message);
    if (!token) return 0;  // a number JSON cannot spell (1e999 reads as infinity)
    if (token->size() > auth::kMaxTokenBytes) return 0;
    auto decoded = auth::Decode(*token);
    if (!decoded) Violated("a signed token does not decode", decoded.error().message);
    // What was signed: Boost.JSON 1.81 parses some doubles 1 ulp off, so `claims` itself may not survive text.
    bj::value signed_claims = bj::parse(bj::serialize(claims));
    if (decoded->claims != signed_claims) Violated("claims changed on the way", input);
    auto genuine = auth::Verify(*token, f.keys, f.options);
    if (!genuine) {
        auto kind = genuine.error().kind;
        if (kind == auth::TokenErrorKind::kAlgNotAllowed || kind == auth::TokenErrorKind::kUnknownKid ||
            kind == auth::TokenErrorKind::kBadSignature)
            Violated("a genuine token refused", genuine.error().message);
    } else if (genuine->raw != signed_claims) {
        Violated("verified claims differ", input);
    }
    // One byte changed, at a position and to a value taken from the input.
    size_t at = (size > 0 ? data[0] * 257u + data[size - 1] : 0) % token->size();
    std::string changed = *token;
    changed[at] = static_cast<char>(changed[at] ^ (size > 1 ? (data[1] | 1) : 1));
    if (auth::Verify(changed, f.keys, f.options)) Violated("a changed token was accepted", changed);
    return 0;
}
