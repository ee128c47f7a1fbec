// Reservation domain: a visit to the animal hospital, made only once diagnosis opened its medical
// record, then changed or canceled by the customer. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::animal_hospital::booking {

inline constexpr std::string_view kReserved = "reserved";
inline constexpr std::string_view kChanged = "changed";
inline constexpr std::string_view kCanceled = "canceled";
// Who sees the patient and what the record opens with, as the seed's reservation sends them.
inline constexpr std::string_view kDoctor = "Brad pitt";
inline constexpr std::string_view kFirstOpinion = "별 이상 없습니다.";

// A reservation (the aggregate): the resource `/reservations`, stored once its record was opened.
struct Reservation {
    int64_t id = 0;
    std::string reservatorName;
    json::Date reservationDate;
    std::string phoneNumber;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(Reservation, (), (id, reservatorName, reservationDate, phoneNumber, status))

struct ReserveCommand {
    std::string reservatorName;
    std::string reservationDate;  // YYYY-MM-DD
    std::string phoneNumber;
};

// Input rules of a reservation: a name, a date, a phone number (digits, '+', '-', spaces, parentheses).
Status ValidateReserve(const ReserveCommand& command);

// A PATCH: the fields the customer may change (absent: unchanged).
struct ChangeCommand {
    std::optional<std::string> reservatorName;
    std::optional<std::string> reservationDate;
    std::optional<std::string> phoneNumber;
};

// Applies a change: refused (FailedPrecondition) on a canceled reservation, InvalidArgument on bad
// values; true when something changed (the status becomes "changed" and ReservationChanged is due).
Result<bool> Change(Reservation& r, const ChangeCommand& command);

// Cancels: true when ReservationCanceled is due (a repeat is not a second cancellation).
bool Cancel(Reservation& r);

}  // namespace reservo::animal_hospital::booking
