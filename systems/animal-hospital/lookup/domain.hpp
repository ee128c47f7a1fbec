// Lookup (CQRS): one row per reservation — the reservation, its diagnosis and treatment, its bill
// and payment — built only from events. Pure projection rules.
//
// Every event may create the row: events of one reservation come from several services (its own,
// diagnosis's Treated, acceptance's Billed and Paid), so one may arrive before ReservationReserved;
// each rule sets only its own fields, and the statuses it sets do not depend on the order.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>

#include "systems/animal-hospital/events.hpp"

namespace reservo::animal_hospital::lookup {

struct ReservationStat {
    int64_t id = 0;
    int64_t reservationId = 0;
    std::string reservatorName;
    std::string reservationDate;
    std::string phoneNumber;
    std::string reservationStatus;  // reserved, changed, canceled
    std::string diagnosisStatus;    // diagnosed, treated, canceled
    std::string doctor;
    std::string medicalOpinion;
    std::string treatment;
    int64_t fee = 0;
    std::string paymentStatus;  // billed, paid
};
BOOST_DESCRIBE_STRUCT(ReservationStat, (),
                      (id, reservationId, reservatorName, reservationDate, phoneNumber, reservationStatus,
                       diagnosisStatus, doctor, medicalOpinion, treatment, fee, paymentStatus))

namespace detail {

template <class E>
void Reservation(const E& e, ReservationStat& row) {
    row.reservationId = e.id;
    row.reservatorName = e.reservatorName;
    row.reservationDate = e.reservationDate;
    row.phoneNumber = e.phoneNumber;
    row.reservationStatus = e.status;
}

}  // namespace detail

// A reservation exists only once its medical record was opened: diagnosed, unless treated already.
inline void Project(const ReservationReserved& e, ReservationStat& row) {
    detail::Reservation(e, row);
    if (row.diagnosisStatus.empty()) row.diagnosisStatus = "diagnosed";
}

inline void Project(const ReservationChanged& e, ReservationStat& row) {
    detail::Reservation(e, row);
    if (row.diagnosisStatus.empty()) row.diagnosisStatus = "diagnosed";
}

// Diagnosis cancels the record with its reservation unless the animal was treated.
inline void Project(const ReservationCanceled& e, ReservationStat& row) {
    detail::Reservation(e, row);
    if (row.diagnosisStatus != "treated") row.diagnosisStatus = "canceled";
}

inline void Project(const Treated& e, ReservationStat& row) {
    row.reservationId = e.reservationId;
    row.doctor = e.doctor;
    row.medicalOpinion = e.medicalOpinion;
    row.treatment = e.treatment;
    row.diagnosisStatus = e.status;
}

inline void Project(const Billed& e, ReservationStat& row) {
    row.reservationId = e.reservationId;
    row.fee = e.fee;
    if (row.paymentStatus.empty()) row.paymentStatus = e.status;
}

inline void Project(const Paid& e, ReservationStat& row) {
    row.reservationId = e.reservationId;
    row.fee = e.fee;
    row.paymentStatus = e.status;
}

}  // namespace reservo::animal_hospital::lookup
