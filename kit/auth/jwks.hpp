// RSA keys for JWT (RS256): the issuer's signing key, public keys, and the JWK Set a gateway reads.
//
// The token server keeps one SigningKey (PKCS#8 PEM on disk) and publishes its public half at
// `GET /.well-known/jwks.json`; a verifier parses that set and looks keys up by `kid`:
//
//   SigningKey key = RESERVO_TRY(SigningKey::Generate());
//   std::string pem = RESERVO_TRY(key.ToPem());            // store it; FromPem(pem) gives the same kid
//   Jwks published;
//   published.Add(key.Public());
//   std::string body = published.Serialize();              // {"keys":[{"kty":"RSA","kid":...}]}
//   Jwks keys = RESERVO_TRY(Jwks::Parse(body));            // on the gateway
//   const PublicKey* k = keys.Find(kid);
//
// A kid is the RFC 7638 JWK thumbprint (SHA-256, base64url), so it follows from the key itself.
// OpenSSL types stay out of this header.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace reservo::auth {

// Smallest RSA modulus accepted anywhere (generated, loaded from PEM or read from a JWKS).
inline constexpr int kMinRsaBits = 2048;

// The RFC 7638 thumbprint of an RSA key given its base64url `n` and `e`: SHA-256, base64url (43 characters).
Result<std::string> JwkThumbprint(std::string_view n, std::string_view e);

// The public half of an RSA signing key, with its kid. Cheap to copy (shared, immutable).
class PublicKey final {
  public:
    // Reads an RSA JWK {kty:"RSA", kid, n, e, [use:"sig"], [alg:"RS256"]}; anything else is InvalidArgument.
    static Result<PublicKey> FromJwk(const boost::json::object& jwk);

    const std::string& kid() const { return kid_; }
    // {kty:"RSA", kid, use:"sig", alg:"RS256", n, e}.
    boost::json::object ToJwk() const;
    // The OpenSSL key, for jwt.cpp.
    evp_pkey_st* get() const { return key_.get(); }

  private:
    PublicKey(std::shared_ptr<evp_pkey_st> key, std::string kid) : key_(std::move(key)), kid_(std::move(kid)) {}
    friend class SigningKey;
    std::shared_ptr<evp_pkey_st> key_;
    std::string kid_;
};

// An RSA private key that signs tokens. Cheap to copy (shared, immutable).
class SigningKey final {
  public:
    // A fresh key of `bits` (at least kMinRsaBits).
    static Result<SigningKey> Generate(int bits = 2048);
    // Reads an unencrypted PEM private key (PKCS#8 "PRIVATE KEY", or "RSA PRIVATE KEY"); must be RSA.
    static Result<SigningKey> FromPem(std::string_view pem);

    // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted: protect the file, not the text.
    Result<std::string> ToPem() const;
    const std::string& kid() const { return public_.kid(); }
    const PublicKey& Public() const { return public_; }
    evp_pkey_st* get() const { return key_.get(); }

  private:
    SigningKey(std::shared_ptr<evp_pkey_st> key, PublicKey pub) : key_(std::move(key)), public_(std::move(pub)) {}
    static Result<SigningKey> FromKey(std::shared_ptr<evp_pkey_st> key);
    std::shared_ptr<evp_pkey_st> key_;
    PublicKey public_;
};

// A JWK Set: public keys by kid.
class Jwks final {
  public:
    // Parses `{"keys":[...]}`. Keys that are not RSA signing keys (another kty, use:"enc", an alg
    // other than RS256) are skipped, as RFC 7517 asks; a broken RSA key or a repeated kid fails the set.
    static Result<Jwks> Parse(std::string_view text);
    static Result<Jwks> FromJson(const boost::json::object& set);

    // Adds or replaces the key with the same kid.
    void Add(PublicKey key);
    // The key with this kid, or nullptr.
    const PublicKey* Find(std::string_view kid) const;
    size_t size() const { return keys_.size(); }

    boost::json::object ToJson() const;
    // The body of `GET /.well-known/jwks.json`.
    std::string Serialize() const;

  private:
    std::map<std::string, PublicKey, std::less<>> keys_;
};

}  // namespace reservo::auth
