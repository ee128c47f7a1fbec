// MyPage view (CQRS): one row per reservation, built only from events. Pure projection rules.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>

namespace reservo::vaccine::view {

struct MyPage {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t userId = 0;
    std::string reservationStatus;
    std::string reservedDate;
    std::string hospital;
    std::string vaccineType;
};
BOOST_DESCRIBE_STRUCT(MyPage, (), (id, reservationId, userId, reservationStatus, reservedDate, hospital, vaccineType))

// A reservation as VaccineReserved describes it (the row is matched by reservation id, not by user).
template <class Reserved>
void Project(const Reserved& e, MyPage& row) {
    row.reservationId = e.reservationId;
    row.userId = e.userId;
    row.reservationStatus = e.reservationStatus;
    row.reservedDate = e.reservedDate;
    row.hospital = e.hospital;
    row.vaccineType = e.vaccineType;
}

}  // namespace reservo::vaccine::view
