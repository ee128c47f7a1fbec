// Room domain: rooms registered by the room management team, and the charges reservations put
// on them for their dates. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::hotel::room {

inline constexpr int64_t kMaxPrice = 1'000'000'000;  // per night
inline constexpr std::string_view kEmpty = "Empty";
inline constexpr std::string_view kCharged = "Charged";
inline constexpr std::string_view kFree = "Free";

// A room (the aggregate): the resource `/roomInfos`. roomStatus is "Charged" while reservations
// hold it for some dates, else "Empty".
struct RoomInfo {
    int64_t id = 0;
    std::string roomNo;
    std::string roomSize;
    std::optional<std::string> amenityInfo;  // may be left out
    int64_t price = 0;                       // per night
    std::string roomStatus;
};
BOOST_DESCRIBE_STRUCT(RoomInfo, (), (id, roomNo, roomSize, amenityInfo, price, roomStatus))

// The charge one reservation puts on a room for its dates [start, end): "Charged", or "Free" once
// the reservation was canceled. The resource `/roomCharges`, read-only.
struct RoomCharge {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t roomId = 0;
    std::string reservStartDate;
    std::string reservEndDate;
    std::string chargeStatus;
};
BOOST_DESCRIBE_STRUCT(RoomCharge, (), (id, reservationId, roomId, reservStartDate, reservEndDate, chargeStatus))

// A room as registered: it starts empty.
Status Register(RoomInfo& room);

// Every stored state of a room: numbered and described (limits in characters), priced per night.
Status ValidateRoom(const RoomInfo& room);

// The charge to store when a reservation completes, given what is already recorded for it: none
// when it was recorded before (a replay), or freed already (the cancellation overtook it).
std::optional<RoomCharge> Charge(const std::optional<RoomCharge>& prior, RoomCharge wanted);

// The charge to store when a reservation is canceled: the prior one freed; a "Free" record when
// none was recorded yet (so a late completion charges nothing); none when it is free already.
std::optional<RoomCharge> Release(const std::optional<RoomCharge>& prior, RoomCharge canceled);

// A room's status from the number of reservations charging it.
std::string_view StatusFor(int64_t active_charges);

// A room is taken off the list only while no reservation charges it.
Status CheckRemovable(int64_t room_id, int64_t active_charges);

}  // namespace reservo::hotel::room
