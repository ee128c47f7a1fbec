// Diagnosis domain: one medical record per reservation, opened synchronously for reservation
// (keyed by the reservation id, so a retry opens one), treated once (→ Treated), moved with its
// reservation's date and canceled with the reservation unless the animal was treated already.
// Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::animal_hospital::care {

inline constexpr std::string_view kDiagnosed = "diagnosed";  // opened for a reservation, awaiting treatment
inline constexpr std::string_view kTreated = "treated";
inline constexpr std::string_view kCanceled = "canceled";
inline constexpr size_t kMaxTextChars = 2000;

// A medical record (the aggregate): the resource `/medicalRecords`, one per reservation.
struct MedicalRecord {
    int64_t id = 0;
    int64_t reservationId = 0;
    std::string reservationDate;
    std::string doctor;
    std::string medicalOpinion;
    std::string treatment;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(MedicalRecord, (),
                      (id, reservationId, reservationDate, doctor, medicalOpinion, treatment, status))

// A reservation whose record was closed before one was opened (its saga was aborted): a record
// asked for later is refused. Keyed by the reservation id.
struct ClosedReservation {
    int64_t id = 0;  // the reservation
    std::string closedAt;
};
BOOST_DESCRIBE_STRUCT(ClosedReservation, (), (id, closedAt))

// `POST /medicalRecords`: reservation's call (a record with a treatment is opened treated, as the
// seed's record publishes Treated when it is stored).
struct OpenRequest {
    int64_t reservationId = 0;
    std::string reservationDate;
    std::string doctor;
    std::string medicalOpinion;
    std::string treatment;
};

// A reservation id, a doctor, texts within kMaxTextChars.
Status ValidateOpen(const OpenRequest& request);

enum class OpenOutcome { kOpen, kRepeat };

// Whether to open now: kRepeat when the same record was opened under this reservation id before
// (answer it again); refused when that record differs or the reservation was closed.
Result<OpenOutcome> CheckOpen(const std::optional<MedicalRecord>& prior, const std::optional<ClosedReservation>& closed,
                              const OpenRequest& request);

// The record as opened now (its id is the store's).
MedicalRecord Opened(const OpenRequest& request);

// A PATCH: what the doctor records (absent: unchanged).
struct RecordChange {
    std::optional<std::string> doctor;
    std::optional<std::string> medicalOpinion;
    std::optional<std::string> treatment;
    std::optional<std::string> status;
};

// Applies a PATCH. A treatment is recorded by `status: "treated"` or by a treatment given without a
// status; true when that happened now (Treated is due). A treated record only answers a repeat of
// itself; a canceled one refuses every change (FailedPrecondition).
Result<bool> Record(MedicalRecord& record, const RecordChange& change);

// The reservation moved to another date: true when the record changed.
bool Reschedule(MedicalRecord& record, std::string_view date);
// The reservation was canceled or aborted: true when the record is canceled now (one already
// treated keeps its treatment — the care was given and is billed).
bool CancelRecord(MedicalRecord& record);

}  // namespace reservo::animal_hospital::care
