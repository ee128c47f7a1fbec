// Reservation view (CQRS): one row per reservation — room, dates, amount, pay status and
// reservation status — built only from events. Pure projection rules.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>

#include "systems/hotel/events.hpp"

namespace reservo::hotel::view {

struct ReservationView {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t roomId = 0;
    std::string roomNo;
    std::string userId;
    std::string userName;
    int64_t peopleQty = 0;
    std::string reservStartDate;
    std::string reservEndDate;
    int64_t amount = 0;
    std::string payMethod;
    std::string payStatus;
    std::string reservStatus;
};
BOOST_DESCRIBE_STRUCT(ReservationView, (),
                      (id, reservationId, roomId, roomNo, userId, userName, peopleQty, reservStartDate, reservEndDate,
                       amount, payMethod, payStatus, reservStatus))

// A reservation as ReservationCompleted describes it (the row is matched by reservation id).
inline void Project(const ReservationCompleted& e, ReservationView& row) {
    row.reservationId = e.reservationId;
    row.roomId = e.roomId;
    row.roomNo = e.roomNo;
    row.userId = e.userId;
    row.userName = e.userName;
    row.peopleQty = e.peopleQty;
    row.reservStartDate = e.reservStartDate;
    row.reservEndDate = e.reservEndDate;
    row.amount = e.amount;
    row.payMethod = e.payMethod;
    row.payStatus = e.payStatus;
    row.reservStatus = e.reservStatus;
}

inline void Project(const ReservationCancelRequested& e, ReservationView& row) { row.reservStatus = e.reservStatus; }

inline void Project(const PayCanceled& e, ReservationView& row) { row.payStatus = e.payStatus; }

inline void Project(const ReservationCanceled& e, ReservationView& row) {
    row.reservStatus = e.reservStatus;
    row.payStatus = e.payStatus;
}

}  // namespace reservo::hotel::view
