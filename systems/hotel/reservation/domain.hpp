// Reservation domain: a stay in a room, priced from the room's nightly rate, held against every
// other stay of the room, completed once paid, and canceled through payment's refund. Pure rules,
// no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::hotel::booking {

inline constexpr std::string_view kCompleted = "Completed";
inline constexpr std::string_view kCancelRequest = "CancelRequest";
inline constexpr std::string_view kCancelCompleted = "CancelCompleted";
inline constexpr int64_t kMaxNights = 365;
inline constexpr int64_t kMaxPeople = 100;

// A reservation (the aggregate): the resource `/reservations`, stored once its payment succeeded.
struct Reservation {
    int64_t id = 0;
    int64_t roomId = 0;
    std::string roomNo;
    std::string userId;
    std::string userName;
    int64_t peopleQty = 0;
    json::Date reservStartDate;  // first night
    json::Date reservEndDate;    // check-out day
    int64_t amount = 0;
    std::string payMethod;
    std::string payStatus;
    std::string reservStatus;
};
BOOST_DESCRIBE_STRUCT(Reservation, (),
                      (id, roomId, roomNo, userId, userName, peopleQty, reservStartDate, reservEndDate, amount,
                       payMethod, payStatus, reservStatus))

// A room as reservation knows it: a replica kept from room's events, so that booking works while
// the room service is down. `removed`: taken off the list, no new stays.
struct KnownRoom {
    int64_t id = 0;
    std::string roomNo;
    int64_t price = 0;
    bool removed = false;
};
BOOST_DESCRIBE_STRUCT(KnownRoom, (), (id, roomNo, price, removed))

// The nights of a stay, the half-open range [start, end) of ISO dates: the check-out day is not a
// night of the stay, so it is free for the next check-in.
struct Stay {
    std::string start;
    std::string end;
};

// Whether two stays share a night.
bool Overlap(const Stay& a, const Stay& b);
// How many nights: InvalidArgument unless 1 to kMaxNights (the end after the start).
Result<int64_t> Nights(const Stay& stay);

struct ReserveCommand {
    int64_t roomId = 0;
    std::string userId;
    std::string userName;
    int64_t peopleQty = 1;
    Stay stay;
    std::string payMethod;
};

// Input rules of a reservation request (before anything is looked up).
Status ValidateReserve(const ReserveCommand& command);

// What a stay costs in a room: NotFound for a room reservation does not know (or that was taken
// off the list); the room's nightly price times the nights.
struct Quote {
    int64_t roomId = 0;
    std::string roomNo;
    int64_t nights = 0;
    int64_t amount = 0;
};
Result<Quote> QuoteStay(const ReserveCommand& command, const std::optional<KnownRoom>& room);

// A room's dates held for one reservation: while it is being paid, then while it is booked;
// released when the reservation is given up or canceled.
enum class HoldState { kHeld, kBooked, kReleased };
std::string_view HoldStateName(HoldState state);
std::optional<HoldState> ParseHoldState(std::string_view name);

struct Hold {
    int64_t reservationId = 0;
    int64_t roomId = 0;
    Stay stay;
    HoldState state = HoldState::kHeld;
};

// The stay is refused (FailedPrecondition) when another active hold of the room overlaps it.
Status CheckFree(int64_t room_id, const Stay& wanted, const std::optional<Hold>& overlapping);

// A status asked for through PATCH: "CancelRequest" is the command (true); the current status
// changes nothing (false); any other is refused.
Result<bool> IsCancelRequest(std::string_view requested, std::string_view current);
// Asks to cancel: true when ReservationCancelRequested is due (a repeat is not a second request).
bool RequestCancel(Reservation& r);
// Payment refunded: the cancellation is complete; true when ReservationCanceled is due.
bool CompleteCancel(Reservation& r, std::string_view pay_status);

}  // namespace reservo::hotel::booking
