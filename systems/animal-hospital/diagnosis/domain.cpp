#include "systems/animal-hospital/diagnosis/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::animal_hospital::care {
namespace {

Status ValidateText(std::string_view field, std::string_view text) {
    if (json::CharCount(text) > kMaxTextChars) {
        return Fail(Code::kInvalidArgument,
                    std::string(field) + ": at most " + std::to_string(kMaxTextChars) + " characters");
    }
    return Ok();
}

Status ValidateRecord(const MedicalRecord& r) {
    if (auto st = json::ValidateName("doctor", r.doctor, 100); !st) return st;
    if (auto st = ValidateText("medicalOpinion", r.medicalOpinion); !st) return st;
    return ValidateText("treatment", r.treatment);
}

}  // namespace

Status ValidateOpen(const OpenRequest& r) {
    if (r.reservationId <= 0) return Fail(Code::kInvalidArgument, "reservationId: must be a positive number");
    return ValidateRecord(Opened(r));
}

Result<OpenOutcome> CheckOpen(const std::optional<MedicalRecord>& prior, const std::optional<ClosedReservation>& closed,
                              const OpenRequest& r) {
    std::string reservation = "reservation " + std::to_string(r.reservationId);
    if (closed || (prior && prior->status == kCanceled)) {
        return Fail(Code::kFailedPrecondition, reservation + " was closed");
    }
    if (!prior) return OpenOutcome::kOpen;
    if (prior->doctor != r.doctor || prior->medicalOpinion != r.medicalOpinion ||
        (!r.treatment.empty() && prior->treatment != r.treatment)) {
        return Fail(Code::kFailedPrecondition, reservation + " has a medical record already, with other details");
    }
    return OpenOutcome::kRepeat;
}

MedicalRecord Opened(const OpenRequest& r) {
    return MedicalRecord{.reservationId = r.reservationId,
                         .reservationDate = r.reservationDate,
                         .doctor = r.doctor,
                         .medicalOpinion = r.medicalOpinion,
                         .treatment = r.treatment,
                         .status = std::string(json::IsBlank(r.treatment) ? kDiagnosed : kTreated)};
}

Result<bool> Record(MedicalRecord& r, const RecordChange& c) {
    if (c.status && *c.status != kDiagnosed && *c.status != kTreated) {
        if (*c.status == kCanceled) {
            return Fail(Code::kFailedPrecondition, "a medical record is canceled with its reservation");
        }
        return Fail(Code::kInvalidArgument, "status: only \"treated\" can be recorded");
    }
    std::string record = "medical record " + std::to_string(r.id);
    if (r.status == kCanceled) return Fail(Code::kFailedPrecondition, record + " is canceled");
    MedicalRecord after = r;
    if (c.doctor) after.doctor = *c.doctor;
    if (c.medicalOpinion) after.medicalOpinion = *c.medicalOpinion;
    if (c.treatment) after.treatment = *c.treatment;
    if (r.status == kTreated) {
        bool same = after.doctor == r.doctor && after.medicalOpinion == r.medicalOpinion &&
                    after.treatment == r.treatment && (!c.status || *c.status == kTreated);
        if (!same) return Fail(Code::kFailedPrecondition, record + " was treated already");
        return false;
    }
    bool treat = c.status ? *c.status == kTreated : c.treatment && !json::IsBlank(*c.treatment);
    if (treat && json::IsBlank(after.treatment)) {
        return Fail(Code::kInvalidArgument, "treatment: must not be blank to record a treatment");
    }
    if (auto st = ValidateRecord(after); !st) return Fail(st.error());
    if (treat) after.status = std::string(kTreated);
    r = std::move(after);
    return treat;
}

bool Reschedule(MedicalRecord& r, std::string_view date) {
    if (r.status == kCanceled || r.reservationDate == date) return false;
    r.reservationDate = std::string(date);
    return true;
}

bool CancelRecord(MedicalRecord& r) {
    if (r.status != kDiagnosed) return false;
    r.status = std::string(kCanceled);
    return true;
}

}  // namespace reservo::animal_hospital::care
