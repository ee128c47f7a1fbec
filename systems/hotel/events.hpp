// The events of system `hotel`, declared once: their CloudEvents `type` is the struct's name,
// their `subject` (correlation key) the named member. Every service publishes and subscribes by
// these types; none spells an event name as a string.
//
// Room events are keyed by the room id; everything about a reservation (its payment included)
// by the reservation id, so one reservation's events stay in order on one partition.
#pragma once

#include <cstdint>
#include <string>

#include "kit/messaging/event_declaration.hpp"

namespace reservo::hotel {

// room: the room management team registered a room, changed it, or took it off the list.
struct RoomRegistered {
    int64_t id = 0;
    std::string roomNo;
    std::string roomSize;
    std::string amenityInfo;
    int64_t price = 0;  // per night
    std::string roomStatus;
};
RESERVO_EVENT(RoomRegistered, id, (id, roomNo, roomSize, amenityInfo, price, roomStatus))

struct RoomChanged {
    int64_t id = 0;
    std::string roomNo;
    std::string roomSize;
    std::string amenityInfo;
    int64_t price = 0;
    std::string roomStatus;
};
RESERVO_EVENT(RoomChanged, id, (id, roomNo, roomSize, amenityInfo, price, roomStatus))

struct RoomRemoved {
    int64_t id = 0;
    std::string roomNo;
};
RESERVO_EVENT(RoomRemoved, id, (id, roomNo))

// reservation: stored once its payment succeeded (the room is charged for those dates).
struct ReservationCompleted {
    int64_t id = 0;  // the reservation, as the seed's entity carries it
    int64_t reservationId = 0;
    int64_t roomId = 0;
    std::string roomNo;
    std::string userId;
    std::string userName;
    int64_t peopleQty = 0;
    std::string reservStartDate;  // first night
    std::string reservEndDate;    // check-out day (not a night of the stay)
    int64_t amount = 0;
    std::string payMethod;
    std::string payStatus;
    std::string reservStatus;
};
RESERVO_EVENT(ReservationCompleted, reservationId,
              (id, reservationId, roomId, roomNo, userId, userName, peopleQty, reservStartDate, reservEndDate, amount,
               payMethod, payStatus, reservStatus))

// The cancellation saga: requested → payment refunds (PayCanceled) → canceled (the room is free).
struct ReservationCancelRequested {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t roomId = 0;
    std::string userId;
    int64_t amount = 0;
    std::string reservStatus;
};
RESERVO_EVENT(ReservationCancelRequested, reservationId, (id, reservationId, roomId, userId, amount, reservStatus))

struct ReservationCanceled {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t roomId = 0;
    std::string userId;
    std::string reservStartDate;
    std::string reservEndDate;
    std::string payStatus;
    std::string reservStatus;
};
RESERVO_EVENT(ReservationCanceled, reservationId,
              (id, reservationId, roomId, userId, reservStartDate, reservEndDate, payStatus, reservStatus))

// A reservation saga gave up after asking for payment (outcome unknown, or its caller gone):
// whatever payment was made under this reservation id is voided, and none may be made later.
struct ReservationAborted {
    int64_t reservationId = 0;
    int64_t roomId = 0;
};
RESERVO_EVENT(ReservationAborted, reservationId, (reservationId, roomId))

// payment: a reservation was paid; a payment was canceled (refunded after a cancel request, or
// voided after an aborted reservation — payStatus says which).
struct PayCompleted {
    int64_t id = 0;  // the payment
    int64_t reservationId = 0;
    std::string userId;
    int64_t amount = 0;
    std::string payMethod;
    std::string payStatus;
};
RESERVO_EVENT(PayCompleted, reservationId, (id, reservationId, userId, amount, payMethod, payStatus))

struct PayCanceled {
    int64_t id = 0;  // the payment; 0 when none had been made
    int64_t reservationId = 0;
    std::string userId;
    int64_t amount = 0;  // refunded
    std::string payMethod;
    std::string payStatus;
};
RESERVO_EVENT(PayCanceled, reservationId, (id, reservationId, userId, amount, payMethod, payStatus))

}  // namespace reservo::hotel
