// Professor evaluation use cases.
//
// The policies open an evaluation per application (ProfessorApplied) and cancel it with its
// application (ApplymentCanceled) or course (CourseCanceled), each in the consumer's transaction.
// CourseCanceled (course-management's) may overtake a ProfessorApplied (professor-applyment's);
// the evaluation opened late is canceled by the ApplymentCanceled professor-applyment publishes
// when it closes that course's entry, which follows its ProfessorApplied on the same partition.
//
// A verdict (ProfessorConfirmation::Evaluate) with successFlag=true confirms the professor through
// a saga step (the saga "confirm-professor"), one pending step per evaluation at a time:
//   1. one transaction checks the evaluation may still be confirmed (and records any other verdict)
//      and opens the pending step — or resumes the one a verdict before it left pending;
//   2. course-management is asked synchronously (POST /courseManagements/completeCourse), keyed by
//      the evaluation id, so a retried call (the answer lost) has no second effect and answers 200;
//   3. agreed → the step completed, the evaluation Confirmed and ProfessorConfirmed published in one
//      transaction; refused (the professor is the course's already, the course is gone, the
//      confirmation was aborted) → 409 and the step dropped; certainly not done (never sent, open
//      circuit, 503) → 503 and the step dropped;
//      outcome unknown (timeout, lost answer, a 5xx other than 503, step 3 not committing) → 503
//      and the step left pending: the client's retry of the verdict resumes it (course-management
//      answers the repeat with 200), and a step nobody resumed within abandon-after-ms (or whose
//      process died) is aborted by the sweeper, which publishes ProfessorConfirmationAborted:
//      course-management undoes what the call did and refuses the evaluation from then on, as
//      this service does (409: the evaluation stays Evaluating and is never confirmed).
#pragma once

#include <functional>

#include "kit/http/router.hpp"
#include "kit/service/dependency.hpp"
#include "kit/service/saga.hpp"
#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/course/events.hpp"
#include "systems/course/professor-evaluation/domain.hpp"

namespace reservo::course::eval {

// The confirmation of an evaluation under way (never exposed), keyed by the evaluation id: the
// pending saga step it waits on, or that it was aborted (then the evaluation is never confirmed).
struct Confirmation {
    int64_t id = 0;  // the evaluation id
    std::optional<int64_t> step;
    bool aborted = false;
};
BOOST_DESCRIBE_STRUCT(Confirmation, (), (id, step, aborted))

struct Review {
    Evaluation evaluation;
    Decision decision = Decision::kRecord;
    int64_t step = 0;      // kConfirm: the pending step the call belongs to
    bool resumed = false;  // it was left pending by an earlier verdict (whose call may have had effect)
};

// Opens a pending step in the caller's transaction (Saga::Open).
using OpenStep = std::function<Result<int64_t>(service::Tx&, const boost::json::object&)>;
// Closes it in the caller's transaction (Saga::Complete); Unavailable when it was aborted meanwhile.
using CompleteStep = std::function<Status(service::Tx&, int64_t)>;

class Evaluations final {
  public:
    Evaluations(const store::Table<Evaluation>& evaluations, const store::Table<Confirmation>& confirmations)
        : evaluations_(evaluations), confirmations_(confirmations) {}

    // ProfessorApplied: an evaluation of the application.
    Status Open(service::Tx& tx, const ProfessorApplied& applied) const;
    // ApplymentCanceled / CourseCanceled: its evaluations are canceled.
    Status CancelForApplication(service::Tx& tx, const ApplymentCanceled& canceled) const;
    Status CancelForCourse(service::Tx& tx, const CourseCanceled& canceled) const;

    // Step 1: the verdict checked; recorded at once unless it confirms the professor, which opens
    // (or resumes) the evaluation's pending step; FailedPrecondition once its confirmation was aborted.
    Result<Review> ReviewVerdict(service::Tx& tx, int64_t id, const Verdict& verdict, const OpenStep& open) const;
    // Step 3: the step completed, Confirmed and ProfessorConfirmed, once (a concurrent repeat answers
    // it as it is).
    Result<Evaluation> ConfirmProfessor(service::Tx& tx, int64_t id, const Verdict& verdict, int64_t step,
                                        const CompleteStep& complete) const;
    // The step closed with nothing to undo (the call was refused or never made): a later verdict opens another.
    Status StepDropped(service::Tx& tx, int64_t id, int64_t step) const;
    // The step aborted (the saga's compensation): the evaluation is never confirmed, and
    // ProfessorConfirmationAborted tells course-management to undo what the call may have done.
    Status ConfirmationAborted(service::Tx& tx, int64_t id, int64_t course_id, int64_t step) const;

  private:
    Status CancelAll(service::Tx& tx, std::string_view field, int64_t value) const;

    const store::Table<Evaluation>& evaluations_;
    const store::Table<Confirmation>& confirmations_;
};

// The verdict command around the synchronous call to course-management.
class ProfessorConfirmation final {
  public:
    ProfessorConfirmation(Evaluations& evaluations, service::UnitOfWork& uow, service::Dependency& course_management,
                          std::chrono::milliseconds abandon_after);

    http::Awaitable<Result<Evaluation>> Evaluate(int64_t id, Verdict verdict);

  private:
    // Closes the step with nothing to undo, or (not possible now) leaves it to the sweeper.
    http::Awaitable<void> Drop(int64_t id, int64_t step, const std::string& why);

    Evaluations& evaluations_;
    service::UnitOfWork& uow_;
    service::Dependency& course_management_;
    service::Saga confirm_;
};

}  // namespace reservo::course::eval
