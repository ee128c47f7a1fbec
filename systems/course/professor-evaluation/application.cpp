#include "systems/course/professor-evaluation/application.hpp"

#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::course::eval {
namespace {

// The confirming call, keyed by the evaluation id (POST /courseManagements/completeCourse).
http::Request CompleteCourseRequest(const Evaluation& e) {
    http::Request call;
    call.method = "POST";
    call.target = "/courseManagements/completeCourse";
    call.headers.Set("Content-Type", "application/json");
    call.body = json::Serialize(boost::json::object{{"courseId", e.courseId},
                                                    {"evaluationId", e.id},
                                                    {"professorNo", e.professorNo},
                                                    {"professorNm", e.professorNm},
                                                    {"phoneNumber", e.phoneNumber}});
    return call;
}

// course-management's refusal, as this service's own error (its `detail` kept).
Error Refusal(const http::Response& answer, const Evaluation& e) {
    if (answer.status == 404) {
        return Error{Code::kFailedPrecondition, "course " + std::to_string(e.courseId) + " does not exist any more"};
    }
    std::string detail = "course-management refused";
    auto body = json::ParseObject(answer.body);
    if (body && body->contains("detail") && (*body)["detail"].is_string()) {
        detail = std::string((*body)["detail"].as_string());
    }
    return Error{Code::kFailedPrecondition, detail};
}

// Whether a failed call certainly did nothing on course-management: it was never sent (open circuit,
// full bulkhead, refused connection, deadline passed) or course-management answered 503 (it did not
// commit). A timeout, a lost answer or another 5xx leave the outcome unknown.
bool NothingDone(const Error& e) {
    if (e.code != Code::kUnavailable) return false;  // DeadlineExceeded (timed out), Unknown (sent, answer lost)
    return e.message.find(" answered ") == std::string::npos || e.message.ends_with(" answered 503");
}

int64_t IntOf(const boost::json::object& data, const char* key) {
    const auto* v = data.if_contains(key);
    return v ? json::ToInt(*v, key).value_or(0) : 0;
}

}  // namespace

// ---- Evaluations -------------------------------------------------------------------------------

Status Evaluations::Open(service::Tx& tx, const ProfessorApplied& e) const {
    RESERVO_TRY(evaluations_.Insert(tx.db(), Evaluation{.applymentId = e.applymentId,
                                                        .courseId = e.courseId,
                                                        .courseNo = e.courseNo,
                                                        .title = e.title,
                                                        .professorNo = e.professorNo,
                                                        .professorNm = e.professorNm,
                                                        .phoneNumber = e.phoneNumber,
                                                        .evaluationStatus = std::string(kEvaluating)}));
    return Ok();
}

Status Evaluations::CancelAll(service::Tx& tx, std::string_view field, int64_t value) const {
    for (Evaluation& e : RESERVO_TRY(evaluations_.Where(tx.db(), field, value))) {
        if (Cancel(e)) RESERVO_TRY(evaluations_.Update(tx.db(), e));
    }
    return Ok();
}

Status Evaluations::CancelForApplication(service::Tx& tx, const ApplymentCanceled& e) const {
    return CancelAll(tx, "applymentId", e.applymentId);
}

Status Evaluations::CancelForCourse(service::Tx& tx, const CourseCanceled& e) const {
    return CancelAll(tx, "courseId", e.courseId);
}

Result<Review> Evaluations::ReviewVerdict(service::Tx& tx, int64_t id, const Verdict& verdict,
                                          const OpenStep& open) const {
    Evaluation e = RESERVO_TRY(evaluations_.Load(tx.db(), id));
    RESERVO_TRY(ValidateVerdict(verdict));
    Decision decision = RESERVO_TRY(Decide(e, verdict));
    if (decision == Decision::kRecord) {
        Record(e, verdict);
        RESERVO_TRY(evaluations_.Update(tx.db(), e));
        return Review{std::move(e), decision};
    }
    auto known = RESERVO_TRY(confirmations_.Find(tx.db(), id));
    if (known && known->aborted) {
        return Fail(Code::kFailedPrecondition,
                    "the confirmation of evaluation " + std::to_string(id) +
                        " was aborted (course-management's answer never came in time); it cannot confirm the "
                        "professor any more");
    }
    if (known && known->step) return Review{std::move(e), decision, *known->step, true};
    boost::json::object data;
    data["evaluationId"] = e.id;
    data["courseId"] = e.courseId;
    int64_t step = RESERVO_TRY(open(tx, data));
    if (known) {
        known->step = step;
        RESERVO_TRY(confirmations_.Update(tx.db(), *known));
    } else {
        RESERVO_TRY(confirmations_.Insert(tx.db(), Confirmation{.id = id, .step = step}));
    }
    return Review{std::move(e), decision, step, false};
}

Result<Evaluation> Evaluations::ConfirmProfessor(service::Tx& tx, int64_t id, const Verdict& verdict, int64_t step,
                                                 const CompleteStep& complete) const {
    Evaluation e = RESERVO_TRY(evaluations_.Load(tx.db(), id));
    if (e.evaluationStatus == kConfirmed) return e;  // a concurrent repeat confirmed it (and closed the step)
    if (e.evaluationStatus == kCanceled) {
        return Fail(Code::kFailedPrecondition, "evaluation " + std::to_string(id) + " was canceled meanwhile");
    }
    RESERVO_TRY(complete(tx, step));  // Unavailable when the sweeper aborted it meanwhile
    RESERVO_TRY(StepDropped(tx, id, step));
    if (!Confirm(e, verdict)) return e;
    RESERVO_TRY(evaluations_.Update(tx.db(), e));
    RESERVO_TRY(tx.Publish(ProfessorConfirmed{e.id, e.applymentId, e.courseId, e.courseNo, e.title, e.professorNo,
                                              e.professorNm, e.phoneNumber, e.score.value_or(0), true}));
    return e;
}

Status Evaluations::StepDropped(service::Tx& tx, int64_t id, int64_t step) const {
    auto known = RESERVO_TRY(confirmations_.Find(tx.db(), id));
    if (!known || known->step != step) return Ok();
    known->step.reset();
    return confirmations_.Update(tx.db(), *known);
}

Status Evaluations::ConfirmationAborted(service::Tx& tx, int64_t id, int64_t course_id, int64_t step) const {
    auto known = RESERVO_TRY(confirmations_.Find(tx.db(), id));
    if (!known) {
        RESERVO_TRY(confirmations_.Insert(tx.db(), Confirmation{.id = id, .aborted = true}));
    } else if (!known->aborted) {
        if (known->step == step) known->step.reset();
        known->aborted = true;
        RESERVO_TRY(confirmations_.Update(tx.db(), *known));
    }
    return tx.Publish(ProfessorConfirmationAborted{.evaluationId = id, .courseId = course_id});
}

// ---- ProfessorConfirmation ---------------------------------------------------------------------

ProfessorConfirmation::ProfessorConfirmation(Evaluations& evaluations, service::UnitOfWork& uow,
                                             service::Dependency& course_management,
                                             std::chrono::milliseconds abandon_after)
    : evaluations_(evaluations),
      uow_(uow),
      course_management_(course_management),
      confirm_(uow.context(), uow,
               {.name = "confirm-professor",
                .abandon_after = abandon_after,
                .compensate = [&evaluations](const service::SagaStep& step, service::Tx& tx) -> Status {
                    return evaluations.ConfirmationAborted(tx, IntOf(step.data, "evaluationId"),
                                                           IntOf(step.data, "courseId"), step.id);
                }}) {}

http::Awaitable<Result<Evaluation>> ProfessorConfirmation::Evaluate(int64_t id, Verdict verdict) {
    OpenStep open = [this](service::Tx& tx, const boost::json::object& data) { return confirm_.Open(tx, data); };
    auto review_verdict = [&](service::Tx& tx) { return evaluations_.ReviewVerdict(tx, id, verdict, open); };
    auto reviewed = co_await uow_.Write(review_verdict);
    Review review = RESERVO_CO_TRY(std::move(reviewed));
    if (review.decision == Decision::kRecord) co_return std::move(review.evaluation);
    const int64_t step = review.step;

    auto answer = co_await course_management_.Call(CompleteCourseRequest(review.evaluation), /*idempotent=*/true);
    if (!answer) {
        // A step resumed may hold an earlier call's unknown outcome: only the sweeper closes it then.
        if (!review.resumed && NothingDone(answer.error())) co_await Drop(id, step, answer.error().message);
        co_return Fail(Code::kUnavailable, "course-management unavailable: " + answer.error().message);
    }
    if (answer->status >= 500) {  // not counted as failures by the policy: the outcome is unknown
        co_return Fail(Code::kUnavailable, "course-management answered " + std::to_string(answer->status));
    }
    if (answer->status != 200) {
        Error refusal = Refusal(*answer, review.evaluation);
        co_await Drop(id, step, refusal.message);
        co_return Fail(refusal);
    }
    CompleteStep complete = [this](service::Tx& tx, int64_t s) {
        return confirm_.Complete(tx, s, "course-management agreed");
    };
    auto confirm = [&](service::Tx& tx) { return evaluations_.ConfirmProfessor(tx, id, verdict, step, complete); };
    auto confirmed = co_await uow_.Write(confirm);
    if (confirmed) co_return confirmed;
    if (confirmed.error().code == Code::kFailedPrecondition) {
        // Canceled while course-management set the professor: undo it now.
        (void)co_await confirm_.Abort(step, confirmed.error().message);
        co_return confirmed;
    }
    // Aborted meanwhile (Unavailable), or not committed: the sweeper aborts a step still pending.
    co_return Fail(Code::kUnavailable,
                   "evaluation " + std::to_string(id) + " was not confirmed: " + confirmed.error().message);
}

http::Awaitable<void> ProfessorConfirmation::Drop(int64_t id, int64_t step, const std::string& why) {
    auto drop = [&](service::Tx& tx) -> Status {
        RESERVO_TRY(confirm_.Drop(tx, step, why));
        return evaluations_.StepDropped(tx, id, step);
    };
    auto dropped = co_await uow_.Write(drop);
    (void)dropped;  // not dropped (the store busy): the sweeper aborts it, which is harmless here
}

}  // namespace reservo::course::eval
