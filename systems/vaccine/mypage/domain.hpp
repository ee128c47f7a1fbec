// MyPage view (CQRS): one row per reservation, built only from events. Pure projection rules.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "kit/core/error.hpp"

namespace reservo::vaccine::view {

struct MyPageRow {
    int64_t reservationId = 0;
    int64_t userId = 0;
    std::string reservationStatus;
    std::string reservedDate;
    std::string hospital;
    std::string vaccineType;
};

// The row a VaccineReserved or ReservationCancelled event describes (matched by reservation id).
Result<MyPageRow> Project(const boost::json::object& data);

}  // namespace reservo::vaccine::view
