// Fuzzes the lenient JSON mapper (kit/json/json.hpp): json::Parse<T> on a described struct with every
// supported member type, and json::NormalizeDate on the raw input. Aborts when
//  - a failure is not InvalidArgument with a message,
//  - a mapped date, or NormalizeDate's result, is not a normalized `YYYY-MM-DD` it maps to itself,
//  - a mapped value written back with ToObject does not map to the same value again.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "kit/json/json.hpp"

namespace {

using reservo::Code;
namespace json = reservo::json;

struct Sample {
    int64_t id;
    double score;
    bool active;
    std::string name;
    json::Date day;
    std::optional<int64_t> qty;
    std::optional<double> ratio;
    std::optional<bool> flag;
    std::optional<std::string> note;
    std::optional<json::Date> until;
};
BOOST_DESCRIBE_STRUCT(Sample, (), (id, score, active, name, day, qty, ratio, flag, note, until))

[[noreturn]] void Violated(const char* what, std::string_view detail) {
    std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

bool IsNormalDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    auto again = json::NormalizeDate(s);
    return again && *again == s;
}

// Boost.JSON 1.81 parses decimals to within an ulp or so, not always to the nearest double (exact
// parsing came in 1.83), so a written double may come back a hair off.
bool SameDouble(double a, double b) {
    return a == b ||
           std::fabs(a - b) <= 4 * std::numeric_limits<double>::epsilon() * std::fmax(std::fabs(a), std::fabs(b));
}

template <class T>
bool SameOptional(const std::optional<T>& a, const std::optional<T>& b, bool (*same)(const T&, const T&)) {
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

void CheckError(const reservo::Error& e, std::string_view input) {
    if (e.code != Code::kInvalidArgument || e.message.empty()) Violated("error is not InvalidArgument", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);

    auto date = json::NormalizeDate(input);
    if (date && !IsNormalDate(*date)) Violated("NormalizeDate result", *date);
    if (!date) CheckError(date.error(), input);

    auto parsed = json::Parse<Sample>(input);
    if (!parsed) {
        CheckError(parsed.error(), input);
        return 0;
    }
    const Sample& s = *parsed;
    if (!IsNormalDate(s.day.iso)) Violated("mapped date", s.day.iso);
    if (s.until && !IsNormalDate(s.until->iso)) Violated("mapped optional date", s.until->iso);

    if (!std::isfinite(s.score) || (s.ratio && !std::isfinite(*s.ratio))) Violated("mapped a non-finite number", "");

    std::string written = json::Serialize(json::ToObject(s));
    auto again = json::Parse<Sample>(written);
    if (!again) Violated("written value does not map back", written + " : " + again.error().message);
    const Sample& t = *again;
    bool same =
        s.id == t.id && SameDouble(s.score, t.score) && s.active == t.active && s.name == t.name && s.day == t.day &&
        s.qty == t.qty && s.flag == t.flag && s.note == t.note && s.until == t.until &&
        SameOptional<double>(s.ratio, t.ratio, [](const double& a, const double& b) { return SameDouble(a, b); });
    if (!same) Violated("round trip changed a value", written);
    return 0;
}
