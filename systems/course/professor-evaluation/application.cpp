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

Result<Review> Evaluations::ReviewVerdict(service::Tx& tx, int64_t id, const Verdict& verdict) const {
    Evaluation e = RESERVO_TRY(evaluations_.Load(tx.db(), id));
    RESERVO_TRY(ValidateVerdict(verdict));
    Decision decision = RESERVO_TRY(Decide(e, verdict));
    if (decision == Decision::kRecord) {
        Record(e, verdict);
        RESERVO_TRY(evaluations_.Update(tx.db(), e));
    }
    return Review{std::move(e), decision};
}

Result<Evaluation> Evaluations::ConfirmProfessor(service::Tx& tx, int64_t id, const Verdict& verdict) const {
    Evaluation e = RESERVO_TRY(evaluations_.Load(tx.db(), id));
    if (e.evaluationStatus == kCanceled) {
        return Fail(Code::kFailedPrecondition, "evaluation " + std::to_string(id) + " was canceled meanwhile");
    }
    if (!Confirm(e, verdict)) return e;
    RESERVO_TRY(evaluations_.Update(tx.db(), e));
    RESERVO_TRY(tx.Publish(ProfessorConfirmed{e.id, e.applymentId, e.courseId, e.courseNo, e.title, e.professorNo,
                                              e.professorNm, e.phoneNumber, e.score.value_or(0), true}));
    return e;
}

// ---- ProfessorConfirmation ---------------------------------------------------------------------

http::Awaitable<Result<Evaluation>> ProfessorConfirmation::Evaluate(int64_t id, Verdict verdict) {
    auto reviewed = co_await uow_.Write([&](service::Tx& tx) { return evaluations_.ReviewVerdict(tx, id, verdict); });
    Review review = RESERVO_CO_TRY(std::move(reviewed));
    if (review.decision == Decision::kRecord) co_return std::move(review.evaluation);

    auto answer = co_await course_management_.Call(CompleteCourseRequest(review.evaluation), /*idempotent=*/true);
    if (!answer) co_return Fail(Code::kUnavailable, "course-management unavailable: " + answer.error().message);
    if (answer->status >= 500) {
        co_return Fail(Code::kUnavailable, "course-management answered " + std::to_string(answer->status));
    }
    if (answer->status != 200) co_return Fail(Refusal(*answer, review.evaluation));
    auto confirmed =
        co_await uow_.Write([&](service::Tx& tx) { return evaluations_.ConfirmProfessor(tx, id, verdict); });
    co_return confirmed;
}

}  // namespace reservo::course::eval
