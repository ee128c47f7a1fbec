// Declaring a system's events once: a described struct whose name is the CloudEvents `type` and
// one of whose members is the correlation key (the CloudEvents `subject`, the partition key).
//
//   struct VaccineReserved {
//       int64_t reservationId;
//       int64_t userId;
//       std::string hospital;
//   };
//   RESERVO_EVENT(VaccineReserved, reservationId, (reservationId, userId, hospital))
//
// Members are the event's data fields, mapped to JSON as kit/json maps structs (std::optional
// for fields that may be absent). Header-only and free of I/O, so a domain target may declare
// and return events; kit/messaging/typed_event.hpp turns them into CloudEvents and back.
#pragma once

#include <boost/describe.hpp>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace reservo::messaging {

// The text of a correlation key member.
inline std::string KeyText(int64_t key) { return std::to_string(key); }
inline std::string KeyText(const std::string& key) { return key; }

// A type declared with RESERVO_EVENT.
template <class E>
concept DeclaredEvent = requires(const E& e) {
    { ReservoEventType(static_cast<const E*>(nullptr)) } -> std::convertible_to<std::string_view>;
    { ReservoEventKey(e) } -> std::convertible_to<std::string>;
};

// The CloudEvents `type` of an event: the struct's name.
template <DeclaredEvent E>
constexpr std::string_view TypeOf() {
    return ReservoEventType(static_cast<const E*>(nullptr));
}

// The correlation key of an event: the `subject` it is published with.
template <DeclaredEvent E>
std::string KeyOf(const E& event) {
    return ReservoEventKey(event);
}

}  // namespace reservo::messaging

// Declares `Name` as an event: its members (a parenthesized list) and which of them is the key.
#define RESERVO_EVENT(Name, Key, Members)                                                              \
    BOOST_DESCRIBE_STRUCT(Name, (), Members)                                                           \
    [[maybe_unused]] inline constexpr std::string_view ReservoEventType(const Name*) { return #Name; } \
    [[maybe_unused]] inline std::string ReservoEventKey(const Name& e) { return ::reservo::messaging::KeyText(e.Key); }
