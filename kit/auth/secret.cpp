#include "kit/auth/secret.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/url/decode_view.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>
#include <cctype>
#include <charconv>
#include <vector>

#include "kit/auth/jwt.hpp"

namespace reservo::auth {
namespace {

constexpr uint64_t kN = 1 << 14;
constexpr uint64_t kR = 8;
constexpr uint64_t kP = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxMemory = 64ull << 20;

std::optional<std::string> Scrypt(std::string_view secret, std::string_view salt, uint64_t n, uint64_t r, uint64_t p) {
    std::string out(kHashBytes, '\0');
    if (EVP_PBE_scrypt(secret.data(), secret.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                       n, r, p, kMaxMemory, reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t at = text.find(sep, start);
        parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) return parts;
        start = at + 1;
    }
}

std::optional<uint64_t> Number(std::string_view text) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// application/x-www-form-urlencoded decoding of one credential part ('+' is a space).
std::optional<std::string> FormDecode(std::string_view text) {
    auto checked = boost::urls::make_pct_string_view(text);
    if (!checked) return std::nullopt;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    std::string out;
    for (char c : boost::urls::decode_view(*checked, opts)) out.push_back(c);
    return out;
}

}  // namespace

Result<std::string> HashSecret(std::string_view secret) {
    std::string salt(kSaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
        ERR_clear_error();
        return Fail(Code::kInternal, "no random bytes for a salt");
    }
    auto hash = Scrypt(secret, salt, kN, kR, kP);
    if (!hash) return Fail(Code::kInternal, "scrypt failed");
    return "scrypt$" + std::to_string(kN) + "$" + std::to_string(kR) + "$" + std::to_string(kP) + "$" +
           Base64UrlEncode(salt) + "$" + Base64UrlEncode(*hash);
}

bool VerifySecret(std::string_view secret, std::string_view stored) {
    auto parts = Split(stored, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") return false;
    auto n = Number(parts[1]), r = Number(parts[2]), p = Number(parts[3]);
    auto salt = Base64UrlDecode(parts[4]);
    auto want = Base64UrlDecode(parts[5]);
    // Parameters stay within what HashSecret writes, so a stored text cannot ask for unbounded work.
    if (!n || !r || !p || *n < 2 || *n > (1u << 20) || *r < 1 || *r > 32 || *p < 1 || *p > 16 || !salt || !want ||
        want->size() != kHashBytes)
        return false;
    auto got = Scrypt(secret, *salt, *n, *r, *p);
    return got && CRYPTO_memcmp(got->data(), want->data(), kHashBytes) == 0;
}

std::string Base64Encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > 8192) return std::nullopt;
    size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<size_t>(n) - padding);
    if (Base64Encode(out) != text) return std::nullopt;  // one spelling per byte string
    return out;
}

std::optional<BasicCredentials> ParseBasic(std::string_view authorization) {
    constexpr std::string_view kScheme = "basic ";
    if (authorization.size() <= kScheme.size()) return std::nullopt;
    for (size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
    }
    std::string_view encoded = authorization.substr(kScheme.size());
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
    auto decoded = Base64Decode(encoded);
    if (!decoded) return std::nullopt;
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    auto id = FormDecode(std::string_view(*decoded).substr(0, colon));
    auto secret = FormDecode(std::string_view(*decoded).substr(colon + 1));
    if (!id || !secret || id->empty()) return std::nullopt;
    return BasicCredentials{std::move(*id), std::move(*secret)};
}

}  // namespace reservo::auth
