// Adapters of my-page: the view's projection (event policies) and `/applyStatusInquiries`.
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "systems/course/events.hpp"
#include "systems/course/my-page/domain.hpp"
#include "systems/course/my-page/module.hpp"

namespace reservo::course {
namespace {

using mypage::ApplyStatusInquiry;

const store::Table<ApplyStatusInquiry> kInquiries({.collection = "applyStatusInquiries",
                                                   .finders = {"professorNo", "courseId", "courseNo", "applyStatus",
                                                               "confirmStatus"},
                                                   .unique = {"courseId"}});

struct MyPageService {
    explicit MyPageService(service::ServiceContext& ctx) : uow(ctx), view(uow, kInquiries, "courseId") {}

    template <class E>
    static void Apply(const E& e, ApplyStatusInquiry& row) {
        mypage::Project(e, row);
    }

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kInquiries.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kInquiries.shape());
        view.Create<CourseRegistered>(Apply<CourseRegistered>);
        view.Update<CourseChanged>(Apply<CourseChanged>);
        view.Update<ProfessorApplied>(Apply<ProfessorApplied>);
        view.Update<ApplymentCanceled>(Apply<ApplymentCanceled>);
        view.Update<ProfessorConfirmed>(Apply<ProfessorConfirmed>);
        view.Update<CourseCanceled>(Apply<CourseCanceled>);
        return Ok();
    }

    service::UnitOfWork uow;
    service::Projection<ApplyStatusInquiry> view;
};

}  // namespace

service::ServiceModule MyPageModule() {
    return service::ServiceModule{
        .system = "course",
        .name = "my-page",
        .wire = service::WireParts<MyPageService>(),
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
    };
}

}  // namespace reservo::course
