// MyPage view (CQRS): one row per reservation, built only from events — the date, hospital, vaccine
// and status a customer checks on one screen. Pure projection rules (header-only: they only read the
// declared events).
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "systems/vaccine-approval/events.hpp"

namespace reservo::approval_system::view {

struct MyPage {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t customerId = 0;
    std::string customerName;
    std::string reservationDate;
    std::string hospital;
    std::optional<std::string> vaccineType;
    std::optional<std::string> expiryDate;
    std::optional<std::string> manufactureDate;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(MyPage, (),
                      (id, reservationId, customerId, customerName, reservationDate, hospital, vaccineType, expiryDate,
                       manufactureDate, status))

// The statuses as reservation names them (its events carry them; vaccine-mgmt's answers imply them).
inline constexpr std::string_view kCompleted = "completed";
inline constexpr std::string_view kRejected = "rejected";
inline constexpr std::string_view kCancelled = "cancelled";
inline constexpr std::string_view kApproved = "approved";

inline void Project(const ReservationApproved& e, MyPage& row) {
    row.reservationId = e.reservationId;
    row.customerId = e.customerId;
    row.customerName = e.customerName;
    row.reservationDate = e.reservationDate;
    row.hospital = e.hospital;
    row.vaccineType = e.vaccineType;
    row.status = e.status;
}

// As reservation does: only an approved reservation becomes completed or rejected (a cancel that came
// first wins).
inline void Project(const VaccineAssigned& e, MyPage& row) {
    if (row.status != kApproved) return;
    row.vaccineType = e.vaccineType;
    row.expiryDate = e.expiryDate;
    row.manufactureDate = e.manufactureDate;
    row.status = std::string(kCompleted);
}

inline void Project(const VaccineAssignFailed&, MyPage& row) {
    if (row.status == kApproved) row.status = std::string(kRejected);
}

inline void Project(const ReservationCancelRequested& e, MyPage& row) {
    if (row.status != kCancelled) row.status = e.status;
}

inline void Project(const VaccineReleased&, MyPage& row) {
    row.status = std::string(kCancelled);
    row.vaccineType.reset();
    row.expiryDate.reset();
    row.manufactureDate.reset();
}

}  // namespace reservo::approval_system::view
