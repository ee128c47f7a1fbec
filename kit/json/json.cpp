#include "kit/json/json.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace reservo::json {
namespace {

std::unexpected<Error> Invalid(std::string_view field, std::string_view what) {
    return Fail(Code::kInvalidArgument, std::string(field) + ": " + std::string(what));
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `len` ASCII digits at `pos` (no sign, no space), as a number.
bool Digits(std::string_view s, size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// `HH:MM[:SS[.d+]][Z|±HH:MM]`, RFC 3339's time with seconds optional (a leap second 60 is allowed).
bool IsTime(std::string_view t) {
    int h = 0, m = 0, sec = 0;
    if (!Digits(t, 0, 2, h) || t.size() < 5 || t[2] != ':' || !Digits(t, 3, 2, m) || h > 23 || m > 59) return false;
    size_t i = 5;
    if (i < t.size() && t[i] == ':') {
        if (!Digits(t, i + 1, 2, sec) || sec > 60) return false;
        i += 3;
        if (i < t.size() && t[i] == '.') {
            size_t start = ++i;
            while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
            if (i == start) return false;
        }
    }
    if (i == t.size()) return true;
    if (t[i] == 'Z') return i + 1 == t.size();
    if (t[i] != '+' && t[i] != '-') return false;
    int zh = 0, zm = 0;
    return t.size() == i + 6 && Digits(t, i + 1, 2, zh) && t[i + 3] == ':' && Digits(t, i + 4, 2, zm) && zh <= 23 &&
           zm <= 59;
}

// The code point at `i` of valid UTF-8 and its length in bytes.
char32_t Decode(std::string_view s, size_t i, size_t& len) {
    auto c = static_cast<unsigned char>(s[i]);
    len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (len == 1) return c < 0x80 ? char32_t{c} : U'\uFFFD';  // a stray byte is not space
    char32_t cp = c & (0x7Fu >> len);
    for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (i + k < s.size() ? static_cast<unsigned char>(s[i + k]) & 0x3Fu : 0);
    return cp;
}

// Unicode's White_Space property.
bool IsSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

Result<bj::object> ParseObject(std::string_view text) {
    boost::system::error_code ec;
    bj::parse_options opts;
    opts.max_depth = 64;
    bj::value v = bj::parse(text, ec, {}, opts);
    if (ec) return Fail(Code::kInvalidArgument, "malformed JSON: " + ec.message());
    if (!v.is_object()) return Fail(Code::kInvalidArgument, "expected a JSON object");
    return std::move(v.as_object());
}

Result<int64_t> ToInt(const bj::value& v, std::string_view field) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return Invalid(field, "number out of range");
        return static_cast<int64_t>(v.get_uint64());
    }
    if (v.is_double()) {
        double d = v.get_double();
        if (std::trunc(d) != d || std::abs(d) > 9.0e18) return Invalid(field, "expected a whole number");
        return static_cast<int64_t>(d);
    }
    if (v.is_string()) {
        std::string_view s = v.get_string();
        int64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc::result_out_of_range) return Invalid(field, "number out of range");
        if (ec != std::errc() || p != s.data() + s.size() || s.empty())
            return Invalid(field, "expected a whole number");
        return out;
    }
    return Invalid(field, "expected a whole number");
}

Result<double> ToDouble(const bj::value& v, std::string_view field) {
    if (v.is_number()) {
        double d = v.to_number<double>();
        if (!std::isfinite(d)) return Invalid(field, "number out of range");  // 1e999 parses as infinity
        return d;
    }
    if (v.is_string()) {
        std::string s(v.get_string());
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !std::isfinite(d)) return Invalid(field, "expected a number");
        return d;
    }
    return Invalid(field, "expected a number");
}

Result<bool> ToBool(const bj::value& v, std::string_view field) {
    if (v.is_bool()) return v.get_bool();
    if (v.is_string()) {
        if (v.get_string() == "true") return true;
        if (v.get_string() == "false") return false;
    }
    if (v.is_int64() && (v.get_int64() == 0 || v.get_int64() == 1)) return v.get_int64() == 1;
    return Invalid(field, "expected true or false");
}

Result<std::string> ToString(const bj::value& v, std::string_view field) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
    return Invalid(field, "expected a string");
}

Result<std::string> NormalizeDate(std::string_view s) {
    auto malformed = [] { return Fail(Code::kInvalidArgument, "expected a date YYYY-MM-DD"); };
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return malformed();
    int y = 0, m = 0, d = 0;
    if (!Digits(s, 0, 4, y) || !Digits(s, 5, 2, m) || !Digits(s, 8, 2, d)) return malformed();
    if (s.size() > 10 && ((s[10] != 'T' && s[10] != ' ') || !IsTime(s.substr(11)))) return malformed();
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0))
        return Fail(Code::kInvalidArgument, "not a calendar date");
    return std::string(s.substr(0, 10));
}

size_t CharCount(std::string_view utf8) {
    size_t n = 0;
    for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;  // count every byte that is not a continuation
    return n;
}

bool IsBlank(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        size_t len = 0;
        char32_t cp = Decode(s, i, len);
        if (!IsSpace(cp)) return false;
        i += len;
    }
    return true;
}

Status ValidateName(std::string_view field, std::string_view utf8, size_t max_chars) {
    if (!utf8.empty() && IsBlank(utf8)) return Invalid(field, "must not be blank");
    if (utf8.empty() || CharCount(utf8) > max_chars)
        return Invalid(field, "1 to " + std::to_string(max_chars) + " characters");
    return Ok();
}

Result<Date> ToDate(const bj::value& v, std::string_view field) {
    if (!v.is_string()) return Invalid(field, "expected a date YYYY-MM-DD");
    auto d = NormalizeDate(v.get_string());
    if (!d) return Invalid(field, d.error().message);
    return Date{*d};
}

std::string Serialize(const bj::value& v) { return bj::serialize(v); }

}  // namespace reservo::json
