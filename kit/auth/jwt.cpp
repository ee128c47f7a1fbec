#include "kit/auth/jwt.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <memory>
#include <utility>

namespace reservo::auth {
namespace {

namespace bj = boost::json;

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

bool IsBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TokenError Malformed(std::string message) { return {TokenErrorKind::kMalformed, std::move(message)}; }

std::unexpected<TokenError> Reject(TokenErrorKind kind, std::string message) {
    return std::unexpected<TokenError>(TokenError{kind, std::move(message)});
}

TokenResult<bj::object> DecodeObject(std::string_view part, std::string_view name) {
    auto bytes = Base64UrlDecode(part);
    if (!bytes) return std::unexpected(Malformed(std::string(name) + ": " + bytes.error().message));
    boost::system::error_code ec;
    bj::parse_options opts;
    opts.max_depth = 16;
    bj::value v = bj::parse(*bytes, ec, {}, opts);
    if (ec) return std::unexpected(Malformed(std::string(name) + ": not JSON"));
    if (!v.is_object()) return std::unexpected(Malformed(std::string(name) + ": not a JSON object"));
    return std::move(v.get_object());
}

// A NumericDate claim: absent, or a finite JSON number of seconds.
TokenResult<std::optional<double>> NumericDate(const bj::object& claims, std::string_view name) {
    const bj::value* v = claims.if_contains(name);
    if (!v) return std::nullopt;
    double seconds;
    if (v->is_int64())
        seconds = static_cast<double>(v->get_int64());
    else if (v->is_uint64())
        seconds = static_cast<double>(v->get_uint64());
    else if (v->is_double() && std::isfinite(v->get_double()))
        seconds = v->get_double();
    else
        return std::unexpected(Malformed(std::string(name) + " must be a number of seconds"));
    return seconds;
}

// Whole seconds, clamped: a claim may hold any finite double.
int64_t WholeSeconds(double s) {
    constexpr double kLimit = 9.0e18;
    return static_cast<int64_t>(std::floor(std::clamp(s, -kLimit, kLimit)));
}

std::string Seconds(double s) { return std::to_string(WholeSeconds(s)); }

// A token's text made safe for an error_description: printable ASCII without quotes, at most 32 characters.
std::string Printable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 32)) out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
    return out;
}

bool AudienceMatches(const bj::value& aud, std::string_view want) {
    if (aud.is_string()) return aud.get_string() == want;
    if (!aud.is_array()) return false;
    return std::ranges::any_of(aud.get_array(),
                               [&](const bj::value& a) { return a.is_string() && a.get_string() == want; });
}

// Boost.JSON reads 1e999 as infinity but cannot write it back as JSON.
bool AllFinite(const bj::value& v) {
    if (v.is_double()) return std::isfinite(v.get_double());
    if (v.is_array()) return std::ranges::all_of(v.get_array(), AllFinite);
    if (v.is_object())
        return std::ranges::all_of(v.get_object(), [](const bj::key_value_pair& kv) { return AllFinite(kv.value()); });
    return true;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    std::ranges::replace(out, '+', '-');
    std::ranges::replace(out, '/', '_');
    return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
    if (text.size() > kMaxTokenBytes * 2) return Fail(Code::kInvalidArgument, "base64url text too long");
    if (!std::ranges::all_of(text, IsBase64UrlChar))
        return Fail(Code::kInvalidArgument, "not base64url (only A-Z a-z 0-9 - _, no padding)");
    size_t padding = (4 - text.size() % 4) % 4;
    if (padding == 3) return Fail(Code::kInvalidArgument, "not base64url (impossible length)");
    std::string standard(text);
    std::ranges::replace(standard, '-', '+');
    std::ranges::replace(standard, '_', '/');
    standard.append(padding, '=');
    std::string out(standard.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
    if (n < 0) return Fail(Code::kInvalidArgument, "not base64url");
    // EVP_DecodeBlock counts the padding as zero bytes.
    out.resize(static_cast<size_t>(n) - padding);
    // One text per byte string: nonzero unused bits in the last character would give a second spelling.
    if (Base64UrlEncode(out) != text) return Fail(Code::kInvalidArgument, "not canonical base64url");
    return out;
}

Result<std::string> Sign(const SigningKey& key, const bj::object& claims) {
    if (!std::ranges::all_of(claims, [](const bj::key_value_pair& kv) { return AllFinite(kv.value()); }))
        return Fail(Code::kInvalidArgument, "claims: numbers must be finite");
    bj::object header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid()}};
    std::string input = Base64UrlEncode(bj::serialize(header)) + "." + Base64UrlEncode(bj::serialize(claims));
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t len = 0;
    auto data = reinterpret_cast<const unsigned char*>(input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
        ERR_clear_error();
        return Fail(Code::kInternal, "RS256 signing failed");
    }
    std::string signature(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data, input.size()) != 1) {
        ERR_clear_error();
        return Fail(Code::kInternal, "RS256 signing failed");
    }
    signature.resize(len);
    return input + "." + Base64UrlEncode(signature);
}

std::string_view TokenErrorName(TokenErrorKind kind) {
    switch (kind) {
        case TokenErrorKind::kMalformed:
            return "malformed";
        case TokenErrorKind::kAlgNotAllowed:
            return "alg_not_allowed";
        case TokenErrorKind::kUnknownKid:
            return "unknown_kid";
        case TokenErrorKind::kBadSignature:
            return "bad_signature";
        case TokenErrorKind::kExpired:
            return "expired";
        case TokenErrorKind::kNotYetValid:
            return "not_yet_valid";
        case TokenErrorKind::kWrongIssuer:
            return "wrong_issuer";
        case TokenErrorKind::kWrongAudience:
            return "wrong_audience";
    }
    return "unknown";
}

TokenResult<DecodedToken> Decode(std::string_view token) {
    if (token.size() > kMaxTokenBytes)
        return std::unexpected(Malformed("token longer than " + std::to_string(kMaxTokenBytes) + " bytes"));
    size_t first = token.find('.');
    size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return std::unexpected(Malformed("expected three dot-separated parts"));
    std::string_view header = token.substr(0, first);
    std::string_view payload = token.substr(first + 1, second - first - 1);
    std::string_view signature = token.substr(second + 1);
    if (header.empty() || payload.empty() || signature.empty())
        return std::unexpected(Malformed("empty header, payload or signature"));

    DecodedToken out;
    auto h = DecodeObject(header, "header");
    if (!h) return std::unexpected(h.error());
    out.header = std::move(*h);
    auto c = DecodeObject(payload, "payload");
    if (!c) return std::unexpected(c.error());
    out.claims = std::move(*c);
    auto s = Base64UrlDecode(signature);
    if (!s) return std::unexpected(Malformed("signature: " + s.error().message));
    out.signature = std::move(*s);
    out.signing_input = token.substr(0, second);
    return out;
}

TokenResult<VerifiedClaims> Verify(std::string_view token, const Jwks& keys, const VerifyOptions& options) {
    auto decoded = Decode(token);
    if (!decoded) return std::unexpected(decoded.error());
    const bj::object& header = decoded->header;
    const bj::object& claims = decoded->claims;

    // The algorithm is fixed here, never taken from the token: that is what defeats `none` and HS256.
    const bj::value* alg = header.if_contains("alg");
    if (!alg || !alg->is_string())
        return Reject(TokenErrorKind::kAlgNotAllowed, "header alg missing; only RS256 is allowed");
    if (alg->get_string() != "RS256") {
        return Reject(TokenErrorKind::kAlgNotAllowed,
                      "alg " + Printable(alg->get_string()) + " is not allowed; only RS256");
    }
    if (header.contains("crit")) return Reject(TokenErrorKind::kMalformed, "header crit is not supported");
    const bj::value* kid = header.if_contains("kid");
    if (!kid || !kid->is_string() || kid->get_string().empty())
        return Reject(TokenErrorKind::kMalformed, "header kid missing or not a string");
    const PublicKey* key = keys.Find(kid->get_string());
    if (!key) return Reject(TokenErrorKind::kUnknownKid, "no key with this kid");

    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1) {
        ERR_clear_error();
        return Reject(TokenErrorKind::kBadSignature, "signature could not be checked");
    }
    int ok = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(decoded->signature.data()), decoded->signature.size(),
        reinterpret_cast<const unsigned char*>(decoded->signing_input.data()), decoded->signing_input.size());
    ERR_clear_error();
    if (ok != 1) return Reject(TokenErrorKind::kBadSignature, "signature does not match");

    // Claims, now that they are known to come from the key's holder.
    double now = std::chrono::duration<double>(options.now().time_since_epoch()).count();
    double skew = static_cast<double>(options.clock_skew.count());
    auto exp = NumericDate(claims, "exp");
    if (!exp) return std::unexpected(exp.error());
    if (!*exp) return Reject(TokenErrorKind::kMalformed, "exp is required");
    if (now >= **exp + skew) return Reject(TokenErrorKind::kExpired, "token expired at " + Seconds(**exp));
    auto nbf = NumericDate(claims, "nbf");
    if (!nbf) return std::unexpected(nbf.error());
    if (*nbf && now < **nbf - skew)
        return Reject(TokenErrorKind::kNotYetValid, "token not valid before " + Seconds(**nbf));
    auto iat = NumericDate(claims, "iat");
    if (!iat) return std::unexpected(iat.error());
    if (*iat && now < **iat - skew) return Reject(TokenErrorKind::kNotYetValid, "token issued in the future");

    const bj::value* iss = claims.if_contains("iss");
    if (options.issuer.empty() || !iss || !iss->is_string() || iss->get_string() != options.issuer)
        return Reject(TokenErrorKind::kWrongIssuer, "iss is not " + options.issuer);
    const bj::value* aud = claims.if_contains("aud");
    if (options.audience.empty() || !aud || !AudienceMatches(*aud, options.audience))
        return Reject(TokenErrorKind::kWrongAudience, "aud does not include " + options.audience);

    VerifiedClaims out;
    if (const bj::value* sub = claims.if_contains("sub")) {
        if (!sub->is_string()) return Reject(TokenErrorKind::kMalformed, "sub must be a string");
        out.subject = sub->get_string();
    }
    if (const bj::value* scope = claims.if_contains("scope")) {
        if (!scope->is_string()) return Reject(TokenErrorKind::kMalformed, "scope must be a string");
        std::string_view rest = scope->get_string();
        while (!rest.empty()) {
            size_t space = rest.find(' ');
            std::string_view word = rest.substr(0, space);
            if (!word.empty()) out.scopes.emplace(word);
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
    }
    out.expires_at = WholeSeconds(**exp);
    out.raw = claims;
    return out;
}

}  // namespace reservo::auth
