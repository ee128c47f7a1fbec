// Adapters of course-management: the resource `/courseManagements` (reads and edits; a delete
// cancels the course) and `POST /courseManagements/completeCourse`, professor-evaluation's call
// (internal: never routed by the gateway), and the compensation of that call when professor-evaluation
// aborted the confirmation (ProfessorConfirmationAborted).
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/course/course-management/application.hpp"
#include "systems/course/course-management/module.hpp"

namespace reservo::course {
namespace {

using namespace mgmt;

const store::Table<Course> kCourses({.collection = "courseManagements",
                                     .finders = {"courseNo", "professorNo"},
                                     .checks = {"course_no > 0"}});

// Per evaluation that called completeCourse or whose confirmation was aborted: what the course's
// professor was before it, and the abort. Internal: never exposed.
const store::Table<Confirmation> kConfirmations({.collection = "courseConfirmations", .assigned_ids = true});

struct CourseManagementService {
    explicit CourseManagementService(service::ServiceContext& ctx) : uow(ctx), courses(kCourses, kConfirmations) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kCourses.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kConfirmations.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kCourses.shape());
        service::ExposeWrites<Course>(
            r, uow, kCourses,
            {.read_only = {"successFlag", "professorNo", "professorNm", "phoneNumber", "evaluationId"},
             .validate = ValidateCourse,
             .created = [this](const Course& c, service::Tx& tx) { return courses.Registered(tx, c); },
             .changed = [this](const Course& before, const Course& after,
                               service::Tx& tx) { return courses.Changed(tx, before, after); },
             .removing = [this](const Course& c, service::Tx& tx) { return courses.Canceling(tx, c); }});
        r.PostAsync("/courseManagements/completeCourse", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto completion = json::Parse<Completion>(req.body);
            if (!completion) co_return http::ProblemFrom(completion.error());
            auto done = co_await uow.Write([&](service::Tx& tx) { return courses.CompleteCourse(tx, *completion); });
            if (!done) co_return http::ProblemFrom(done.error());
            co_return http::EntityResponse(req, 200, "courseManagements", done->course.id,
                                           service::EntityJson(kCourses, done->course));
        });
        service::On<ProfessorConfirmationAborted>(uow, [this](const ProfessorConfirmationAborted& e, service::Tx& tx) {
            return courses.ConfirmationAborted(tx, e);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    Courses courses;
};

}  // namespace

service::ServiceModule CourseManagementModule() {
    return service::ServiceModule{
        .system = "course",
        .name = "course-management",
        .wire = service::WireParts<CourseManagementService>(),
    };
}

}  // namespace reservo::course
