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
    if (v.is_number()) return v.to_number<double>();
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
    // YYYY-MM-DD, optionally followed by 'T' or ' ' and a time, which is dropped.
    if (s.size() < 10 || s[4] != '-' || s[7] != '-' || (s.size() > 10 && s[10] != 'T' && s[10] != ' '))
        return Fail(Code::kInvalidArgument, "expected a date YYYY-MM-DD");
    int y = 0, m = 0, d = 0;
    auto num = [&](size_t pos, size_t len, int& out) {
        auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
        return ec == std::errc() && p == s.data() + pos + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d))
        return Fail(Code::kInvalidArgument, "expected a date YYYY-MM-DD");
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0))
        return Fail(Code::kInvalidArgument, "not a calendar date");
    return std::string(s.substr(0, 10));
}

Result<Date> ToDate(const bj::value& v, std::string_view field) {
    if (!v.is_string()) return Invalid(field, "expected a date YYYY-MM-DD");
    auto d = NormalizeDate(v.get_string());
    if (!d) return Invalid(field, d.error().message);
    return Date{*d};
}

std::string Serialize(const bj::value& v) { return bj::serialize(v); }

}  // namespace reservo::json
