// JSON for Reservo: Boost.JSON values, lenient field readers, and struct mapping.
//
// Input is read as Jackson reads it by default: numbers and booleans may arrive as strings
// (`"qty":"20"`, `"successFlag":"true"`), dates are `YYYY-MM-DD` (a full timestamp is cut to
// its date), unknown fields are ignored. Every failure names the field:
//
//   struct NewLot { std::string vaccineType; std::string hospital; Date availableDate; int64_t qty; };
//   BOOST_DESCRIBE_STRUCT(NewLot, (), (vaccineType, hospital, availableDate, qty))
//   Result<NewLot> lot = json::Parse<NewLot>(body);   // InvalidArgument "qty: expected a number"
//
// Members of type std::optional<T> may be absent or null; all others are required.
#pragma once

#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "kit/core/error.hpp"

namespace reservo::json {

namespace bj = boost::json;

// A calendar date written `YYYY-MM-DD`.
struct Date {
    std::string iso;
    friend bool operator==(const Date&, const Date&) = default;
};

// Parses text into an object; malformed JSON or a non-object is InvalidArgument.
Result<bj::object> ParseObject(std::string_view text);

// Lenient scalar readers: the value as given, or InvalidArgument naming `field`.
Result<int64_t> ToInt(const bj::value& v, std::string_view field);
Result<double> ToDouble(const bj::value& v, std::string_view field);
Result<bool> ToBool(const bj::value& v, std::string_view field);
Result<std::string> ToString(const bj::value& v, std::string_view field);
Result<Date> ToDate(const bj::value& v, std::string_view field);

// Normalizes a date or timestamp string to `YYYY-MM-DD`, validating the calendar. Accepted:
// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]][Z|±HH:MM]`;
// the time is checked, then dropped.
Result<std::string> NormalizeDate(std::string_view text);

// Text read from JSON is valid UTF-8 (Boost.JSON checks on parse); limits count characters.
// The number of Unicode code points in `utf8`.
size_t CharCount(std::string_view utf8);
// True when `utf8` is empty or only Unicode white space (ASCII, NBSP, U+3000 IDEOGRAPHIC SPACE, ...).
bool IsBlank(std::string_view utf8);
// A required name: InvalidArgument "<field>: must not be blank" or "<field>: 1 to <max> characters".
Status ValidateName(std::string_view field, std::string_view utf8, size_t max_chars);

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
Result<T> Read(const bj::value& v, std::string_view field) {
    if constexpr (std::is_same_v<T, int64_t>)
        return ToInt(v, field);
    else if constexpr (std::is_same_v<T, double>)
        return ToDouble(v, field);
    else if constexpr (std::is_same_v<T, bool>)
        return ToBool(v, field);
    else if constexpr (std::is_same_v<T, std::string>)
        return ToString(v, field);
    else if constexpr (std::is_same_v<T, Date>)
        return ToDate(v, field);
    else
        static_assert(sizeof(T) == 0, "unsupported member type");
}

template <class T>
void Write(bj::object& out, std::string_view name, const T& v) {
    if constexpr (IsOptional<T>::value) {
        if (v)
            Write(out, name, *v);
        else
            out[name] = nullptr;
    } else if constexpr (std::is_same_v<T, Date>) {
        out[name] = v.iso;
    } else {
        out[name] = v;
    }
}

}  // namespace detail

// Maps a described struct from a JSON object, leniently.
template <class T>
Result<T> FromObject(const bj::object& obj) {
    T out{};
    std::optional<Error> error;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
        if (error) return;
        using M = std::remove_cvref_t<decltype(out.*member.pointer)>;
        const bj::value* v = obj.if_contains(member.name);
        if constexpr (detail::IsOptional<M>::value) {
            if (!v || v->is_null()) return;
            auto r = detail::Read<typename M::value_type>(*v, member.name);
            if (!r)
                error = r.error();
            else
                out.*member.pointer = std::move(*r);
        } else {
            if (!v || v->is_null()) {
                error = Error{Code::kInvalidArgument, std::string(member.name) + ": is required"};
                return;
            }
            auto r = detail::Read<M>(*v, member.name);
            if (!r)
                error = r.error();
            else
                out.*member.pointer = std::move(*r);
        }
    });
    if (error) return Fail(*error);
    return out;
}

template <class T>
Result<T> Parse(std::string_view text) {
    auto obj = ParseObject(text);
    if (!obj) return Fail(obj.error());
    return FromObject<T>(*obj);
}

// Writes a described struct as a JSON object (optional members absent → null).
template <class T>
bj::object ToObject(const T& value) {
    bj::object out;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto member) { detail::Write(out, member.name, value.*member.pointer); });
    return out;
}

std::string Serialize(const bj::value& v);

}  // namespace reservo::json
