// Professor evaluation use cases.
//
// The policies open an evaluation per application (ProfessorApplied) and cancel it with its
// application (ApplymentCanceled) or course (CourseCanceled), each in the consumer's transaction.
// CourseCanceled (course-management's) may overtake a ProfessorApplied (professor-applyment's);
// the evaluation opened late is canceled by the ApplymentCanceled professor-applyment publishes
// when it closes that course's entry, which follows its ProfessorApplied on the same partition.
//
// A verdict (ProfessorConfirmation::Evaluate) with successFlag=true confirms the professor:
//   1. one transaction checks the evaluation may still be confirmed (and records any other verdict);
//   2. course-management is asked synchronously (POST /courseManagements/completeCourse), keyed by
//      the evaluation id, so a retried call (the answer lost) has no second effect and answers 200;
//   3. agreed → the evaluation is Confirmed and ProfessorConfirmed published in one transaction;
//      refused (the professor is the course's already, the course is gone) → 409, nothing changed;
//      no answer (down, timeout, 5xx, open circuit) → Unavailable (503), the evaluation unchanged.
// If step 3 does not commit after course-management agreed, the client's retry of the same verdict
// completes it: course-management answers the repeat with 200.
#pragma once

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/course/events.hpp"
#include "systems/course/professor-evaluation/domain.hpp"

namespace reservo::course::eval {

struct Review {
    Evaluation evaluation;
    Decision decision = Decision::kRecord;
};

class Evaluations final {
  public:
    explicit Evaluations(const store::Table<Evaluation>& evaluations) : evaluations_(evaluations) {}

    // ProfessorApplied: an evaluation of the application.
    Status Open(service::Tx& tx, const ProfessorApplied& applied) const;
    // ApplymentCanceled / CourseCanceled: its evaluations are canceled.
    Status CancelForApplication(service::Tx& tx, const ApplymentCanceled& canceled) const;
    Status CancelForCourse(service::Tx& tx, const CourseCanceled& canceled) const;

    // Step 1: the verdict checked; recorded at once unless it confirms the professor.
    Result<Review> ReviewVerdict(service::Tx& tx, int64_t id, const Verdict& verdict) const;
    // Step 3: Confirmed and ProfessorConfirmed, once (a concurrent repeat answers it as it is).
    Result<Evaluation> ConfirmProfessor(service::Tx& tx, int64_t id, const Verdict& verdict) const;

  private:
    Status CancelAll(service::Tx& tx, std::string_view field, int64_t value) const;

    const store::Table<Evaluation>& evaluations_;
};

// The verdict command around the synchronous call to course-management.
class ProfessorConfirmation final {
  public:
    ProfessorConfirmation(Evaluations& evaluations, service::UnitOfWork& uow, service::Dependency& course_management)
        : evaluations_(evaluations), uow_(uow), course_management_(course_management) {}

    http::Awaitable<Result<Evaluation>> Evaluate(int64_t id, Verdict verdict);

  private:
    Evaluations& evaluations_;
    service::UnitOfWork& uow_;
    service::Dependency& course_management_;
};

}  // namespace reservo::course::eval
