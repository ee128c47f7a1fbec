#include "kit/auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kit/auth/jwt.hpp"

namespace reservo::auth {
namespace {

namespace bj = boost::json;

struct BnFree {
    void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<evp_pkey_st> Own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The last OpenSSL error as text, and the queue emptied so it cannot leak into a later call.
std::string OpenSslError(std::string_view what) {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    std::string out(what);
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        out += ": ";
        out += buf;
    }
    return out;
}

// Big-endian bytes without leading zeros, as JWK wants them.
std::string BnBytes(const BIGNUM* bn) {
    std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

Result<std::string> RsaParam(EVP_PKEY* key, const char* name) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return Fail(Code::kInternal, OpenSslError("RSA parameter"));
    Bn bn(raw);
    return Base64UrlEncode(BnBytes(bn.get()));
}

Status CheckRsa(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA") != 1) return Fail(Code::kInvalidArgument, "not an RSA key");
    if (EVP_PKEY_get_bits(key) < kMinRsaBits)
        return Fail(Code::kInvalidArgument, "RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                                                " bits; at least " + std::to_string(kMinRsaBits) + " required");
    return Ok();
}

Result<std::string> StringMember(const bj::object& obj, std::string_view name) {
    const bj::value* v = obj.if_contains(name);
    if (!v || !v->is_string()) return Fail(Code::kInvalidArgument, "JWK: " + std::string(name) + " must be a string");
    return std::string(v->get_string());
}

// The integer a JWK member encodes: base64url, big-endian, no leading zero byte.
Result<Bn> BnMember(const bj::object& jwk, std::string_view name) {
    auto text = StringMember(jwk, name);
    if (!text) return Fail(text.error());
    auto bytes = Base64UrlDecode(*text);
    if (!bytes) return Fail(Code::kInvalidArgument, "JWK: " + std::string(name) + ": " + bytes.error().message);
    if (bytes->empty() || (*bytes)[0] == '\0')
        return Fail(Code::kInvalidArgument, "JWK: " + std::string(name) + " must be a minimal positive integer");
    Bn bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()), static_cast<int>(bytes->size()), nullptr));
    if (!bn) return Fail(Code::kInternal, OpenSslError("BN_bin2bn"));
    return bn;
}

// Whether a JWK set member is an RSA signing key meant for RS256 (else it is skipped).
bool IsRsaSigningKey(const bj::object& jwk) {
    auto is = [&](std::string_view name, std::string_view want, bool absent_ok) {
        const bj::value* v = jwk.if_contains(name);
        if (!v) return absent_ok;
        return v->is_string() && v->get_string() == want;
    };
    return is("kty", "RSA", false) && is("use", "sig", true) && is("alg", "RS256", true);
}

}  // namespace

// RFC 7638: SHA-256 over {"e","kty","n"} in lexicographic order, no white space.
Result<std::string> JwkThumbprint(std::string_view n, std::string_view e) {
    std::string canonical = R"({"e":")" + std::string(e) + R"(","kty":"RSA","n":")" + std::string(n) + R"("})";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        return Fail(Code::kInternal, OpenSslError("SHA-256"));
    return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Result<PublicKey> PublicKey::FromJwk(const bj::object& jwk) {
    if (!IsRsaSigningKey(jwk)) return Fail(Code::kInvalidArgument, "JWK: not an RSA signing key for RS256");
    auto kid = StringMember(jwk, "kid");
    if (!kid) return Fail(kid.error());
    if (kid->empty()) return Fail(Code::kInvalidArgument, "JWK: kid must not be empty");
    auto n = BnMember(jwk, "n");
    if (!n) return Fail(n.error());
    auto e = BnMember(jwk, "e");
    if (!e) return Fail(e.error());

    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n->get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e->get()) != 1)
        return Fail(Code::kInternal, OpenSslError("OSSL_PARAM_BLD"));
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                    EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return Fail(Code::kInvalidArgument, OpenSslError("JWK " + *kid + ": not a usable RSA key"));
    auto key = Own(raw);
    if (auto ok = CheckRsa(key.get()); !ok)
        return Fail(Code::kInvalidArgument, "JWK " + *kid + ": " + ok.error().message);
    return PublicKey(std::move(key), std::move(*kid));
}

bj::object PublicKey::ToJwk() const {
    // Only fails on a broken OpenSSL: the key was checked when it was made.
    auto n = RsaParam(key_.get(), OSSL_PKEY_PARAM_RSA_N);
    auto e = RsaParam(key_.get(), OSSL_PKEY_PARAM_RSA_E);
    return bj::object{{"kty", "RSA"},
                      {"kid", kid_},
                      {"use", "sig"},
                      {"alg", "RS256"},
                      {"n", n ? *n : std::string()},
                      {"e", e ? *e : std::string()}};
}

Result<SigningKey> SigningKey::FromKey(std::shared_ptr<evp_pkey_st> key) {
    if (auto ok = CheckRsa(key.get()); !ok) return Fail(ok.error());
    auto n = RsaParam(key.get(), OSSL_PKEY_PARAM_RSA_N);
    if (!n) return Fail(n.error());
    auto e = RsaParam(key.get(), OSSL_PKEY_PARAM_RSA_E);
    if (!e) return Fail(e.error());
    auto kid = JwkThumbprint(*n, *e);
    if (!kid) return Fail(kid.error());

    // The public half on its own, so a PublicKey never carries the private exponent.
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key.get(), &der);
    if (len <= 0) return Fail(Code::kInternal, OpenSslError("i2d_PUBKEY"));
    const unsigned char* p = der;
    EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
    OPENSSL_free(der);
    if (!pub) return Fail(Code::kInternal, OpenSslError("d2i_PUBKEY"));
    return SigningKey(std::move(key), PublicKey(Own(pub), std::move(*kid)));
}

Result<SigningKey> SigningKey::Generate(int bits) {
    if (bits < kMinRsaBits)
        return Fail(Code::kInvalidArgument, "RSA keys need at least " + std::to_string(kMinRsaBits) + " bits");
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
    if (!raw) return Fail(Code::kInternal, OpenSslError("RSA key generation"));
    return FromKey(Own(raw));
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) return Fail(Code::kInternal, OpenSslError("BIO_new_mem_buf"));
    // No passphrase: a callback that supplies none keeps OpenSSL from prompting on the terminal.
    auto no_passphrase = [](char*, int, int, void*) { return 0; };
    EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    if (!raw) return Fail(Code::kInvalidArgument, OpenSslError("not an unencrypted PEM private key"));
    return FromKey(Own(raw));
}

Result<std::string> SigningKey::ToPem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return Fail(Code::kInternal, OpenSslError("PEM_write_bio_PrivateKey"));
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

Result<Jwks> Jwks::Parse(std::string_view text) {
    boost::system::error_code ec;
    bj::parse_options opts;
    opts.max_depth = 16;
    bj::value v = bj::parse(text, ec, {}, opts);
    if (ec) return Fail(Code::kInvalidArgument, "JWKS: malformed JSON: " + ec.message());
    if (!v.is_object()) return Fail(Code::kInvalidArgument, "JWKS: expected a JSON object");
    return FromJson(v.get_object());
}

Result<Jwks> Jwks::FromJson(const bj::object& set) {
    const bj::value* keys = set.if_contains("keys");
    if (!keys || !keys->is_array()) return Fail(Code::kInvalidArgument, "JWKS: keys must be an array");
    Jwks out;
    for (const bj::value& member : keys->get_array()) {
        if (!member.is_object()) return Fail(Code::kInvalidArgument, "JWKS: every key must be an object");
        if (!IsRsaSigningKey(member.get_object())) continue;
        auto key = PublicKey::FromJwk(member.get_object());
        if (!key) return Fail(key.error());
        if (out.Find(key->kid())) return Fail(Code::kInvalidArgument, "JWKS: kid " + key->kid() + " appears twice");
        out.Add(std::move(*key));
    }
    return out;
}

void Jwks::Add(PublicKey key) {
    std::string kid = key.kid();
    keys_.insert_or_assign(std::move(kid), std::move(key));
}

const PublicKey* Jwks::Find(std::string_view kid) const {
    auto it = keys_.find(kid);
    return it == keys_.end() ? nullptr : &it->second;
}

bj::object Jwks::ToJson() const {
    bj::array keys;
    for (const auto& [kid, key] : keys_) keys.push_back(key.ToJwk());
    return bj::object{{"keys", std::move(keys)}};
}

std::string Jwks::Serialize() const { return bj::serialize(ToJson()); }

}  // namespace reservo::auth
