// Adapters of professor-evaluation: the resource `/professorEvaluations`, whose PATCH is the
// evaluator's verdict (a command, not an edit), and the policies on professor-applyment's and
// course-management's events.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/course/professor-evaluation/application.hpp"
#include "systems/course/professor-evaluation/module.hpp"

namespace reservo::course {
namespace {

using namespace eval;

const store::Table<Evaluation> kEvaluations({.collection = "professorEvaluations",
                                             .finders = {"applymentId", "courseId", "courseNo", "professorNo",
                                                         "evaluationStatus"}});

// `PATCH /professorEvaluations/{id} {successFlag, score}` (httpie sends both as strings); the
// professor and course fields are the application's and are ignored, like any unknown field.
struct VerdictBody {
    std::optional<bool> successFlag;
    std::optional<int64_t> score;
};
BOOST_DESCRIBE_STRUCT(VerdictBody, (), (successFlag, score))

// The confirmation under way per evaluation (internal: never exposed).
const store::Table<Confirmation> kConfirmations({.collection = "evaluationConfirmations", .assigned_ids = true});

struct ProfessorEvaluationService {
    ProfessorEvaluationService(service::ServiceContext& ctx, std::chrono::milliseconds abandon_after)
        : uow(ctx),
          evaluations(kEvaluations, kConfirmations),
          confirmation(evaluations, uow, ctx.Dep("course-management"), abandon_after) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kEvaluations.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kConfirmations.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kEvaluations.shape());
        auto& course_management = ctx.Dep("course-management");
        r.PatchAsync("/professorEvaluations/{id}",
                     [this, &course_management](http::Request& req) -> http::Awaitable<http::Response> {
                         auto id = http::ParseId(req.Param("id"));
                         if (!id) co_return http::ProblemFrom(id.error());
                         auto body = json::Parse<VerdictBody>(req.body);
                         if (!body) co_return http::ProblemFrom(body.error());
                         auto evaluated = co_await confirmation.Evaluate(*id, {body->successFlag, body->score});
                         if (!evaluated && evaluated.error().code == Code::kUnavailable) {
                             co_return http::Unavailable(evaluated.error().message, course_management.RetryAfterMs());
                         }
                         if (!evaluated) co_return http::ProblemFrom(evaluated.error());
                         co_return http::EntityResponse(req, 200, "professorEvaluations", evaluated->id,
                                                        service::EntityJson(kEvaluations, *evaluated));
                     });
        service::On<ProfessorApplied>(
            uow, [this](const ProfessorApplied& e, service::Tx& tx) { return evaluations.Open(tx, e); });
        service::On<ApplymentCanceled>(uow, [this](const ApplymentCanceled& e, service::Tx& tx) {
            return evaluations.CancelForApplication(tx, e);
        });
        service::On<CourseCanceled>(
            uow, [this](const CourseCanceled& e, service::Tx& tx) { return evaluations.CancelForCourse(tx, e); });
        return Ok();
    }

    service::UnitOfWork uow;
    Evaluations evaluations;
    ProfessorConfirmation confirmation;
};

}  // namespace

service::ServiceModule ProfessorEvaluationModule() {
    return service::ServiceModule{
        .system = "course",
        .name = "professor-evaluation",
        .settings = {{"abandon-after-ms", Schema::Millis(1000).Required()},
                     // Its calls to course-management: the policy is the YAML's, never a default.
                     {"dependencies.course-management", Schema::Map({}).Required()}},
        .wire = service::WireParts<ProfessorEvaluationService>(
            [](const Config& c) { return c.RequireMillis("services.professor-evaluation.abandon-after-ms"); }),
    };
}

}  // namespace reservo::course
