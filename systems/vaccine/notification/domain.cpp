#include "systems/vaccine/notification/domain.hpp"

namespace reservo::vaccine::notice {

Message Compose(const VaccineRegistered& e) {
    return {std::nullopt, e.vaccineType + " vaccine: " + std::to_string(e.qty) + " doses can now be booked at " +
                              e.hospital + " on " + e.availableDate + "."};
}

Message Compose(const VaccineReserved& e) {
    return {e.userId, "Reservation " + std::to_string(e.reservationId) + " confirmed: " + e.vaccineType + " at " +
                          e.hospital + " on " + e.reservedDate + "."};
}

Message Compose(const ReservationCancelled& e) {
    return {e.userId, "Reservation " + std::to_string(e.reservationId) + " (" + e.vaccineType + " at " + e.hospital +
                          " on " + e.reservedDate + ") was cancelled."};
}

}  // namespace reservo::vaccine::notice
