// Adapters of professor-applyment: the resource `/professorApplyments`, whose writes are commands
// (PATCH applies, DELETE cancels the application and keeps the entry), and the policies on
// course-management's and professor-evaluation's events.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/course/professor-applyment/application.hpp"
#include "systems/course/professor-applyment/module.hpp"

namespace reservo::course {
namespace {

using namespace apply;

const store::Table<Applyment> kApplyments({.collection = "professorApplyments",
                                           .finders = {"courseId", "courseNo", "professorNo", "applyStatus"},
                                           .unique = {"courseId"}});

// The seed's PATCH body; anything else it carries (applyStatus, courseNo, ...) is the service's and
// is ignored, like any unknown field.
struct ApplyBody {
    int64_t professorNo;
    std::string professorNm;
    std::string phoneNumber;
    std::optional<int64_t> age;
    std::optional<int64_t> career;
    std::optional<std::string> professorSpec;
};
BOOST_DESCRIBE_STRUCT(ApplyBody, (), (professorNo, professorNm, phoneNumber, age, career, professorSpec))

Result<Application> ReadApplication(std::string_view text) {
    auto body = json::Parse<ApplyBody>(text);
    if (!body) return Fail(body.error());
    return Application{body->professorNo, body->professorNm, body->phoneNumber,
                       body->age,         body->career,      body->professorSpec.value_or("")};
}

struct ProfessorApplymentService {
    explicit ProfessorApplymentService(service::ServiceContext& ctx) : uow(ctx), applyments(kApplyments) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kApplyments.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kApplyments.shape());
        r.PatchAsync("/professorApplyments/{id}", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto id = http::ParseId(req.Param("id"));
            if (!id) co_return http::ProblemFrom(id.error());
            auto application = ReadApplication(req.body);
            if (!application) co_return http::ProblemFrom(application.error());
            auto applied =
                co_await uow.Write([&](service::Tx& tx) { return applyments.ApplyFor(tx, *id, *application); });
            if (!applied) co_return http::ProblemFrom(applied.error());
            co_return http::EntityResponse(req, 200, "professorApplyments", applied->id,
                                           service::EntityJson(kApplyments, *applied));
        });
        service::ExposeDeleteCommand<Applyment>(
            r, uow, kApplyments, [this](service::Tx& tx, int64_t id) { return applyments.Cancel(tx, id); });

        service::On<CourseRegistered>(
            uow, [this](const CourseRegistered& e, service::Tx& tx) { return applyments.OpenEntry(tx, e); });
        service::On<CourseChanged>(
            uow, [this](const CourseChanged& e, service::Tx& tx) { return applyments.FollowCourse(tx, e); });
        service::On<CourseCanceled>(
            uow, [this](const CourseCanceled& e, service::Tx& tx) { return applyments.CloseEntry(tx, e); });
        service::On<ProfessorConfirmed>(
            uow, [this](const ProfessorConfirmed& e, service::Tx& tx) { return applyments.Confirmed(tx, e); });
        return Ok();
    }

    service::UnitOfWork uow;
    Applyments applyments;
};

}  // namespace

service::ServiceModule ProfessorApplymentModule() {
    return service::ServiceModule{
        .system = "course",
        .name = "professor-applyment",
        .wire = service::WireParts<ProfessorApplymentService>(),
    };
}

}  // namespace reservo::course
