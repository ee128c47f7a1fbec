// Adapters of mypage: the view's projection (event policies) and `/myPages`.
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine-approval/mypage/domain.hpp"
#include "systems/vaccine-approval/mypage/module.hpp"

namespace reservo::approval_system {
namespace {

using view::MyPage;

const store::Table<MyPage> kMyPages({.collection = "myPages",
                                     .finders = {"customerId", "reservationId"},
                                     .unique = {"reservationId"}});

struct MyPageService {
    explicit MyPageService(service::ServiceContext& ctx) : uow(ctx), view(uow, kMyPages, "reservationId") {}

    template <class E>
    static void Apply(const E& e, MyPage& row) {
        view::Project(e, row);
    }

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kMyPages.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kMyPages.shape());
        view.Create<ReservationApproved>(Apply<ReservationApproved>);
        view.Update<VaccineAssigned>(Apply<VaccineAssigned>);
        view.Update<VaccineAssignFailed>(Apply<VaccineAssignFailed>);
        view.Update<ReservationCancelRequested>(Apply<ReservationCancelRequested>);
        view.Update<VaccineReleased>(Apply<VaccineReleased>);
        return Ok();
    }

    service::UnitOfWork uow;
    service::Projection<MyPage> view;
};

}  // namespace

service::ServiceModule MyPageModule() {
    return service::ServiceModule{
        .system = "vaccine-approval",
        .name = "mypage",
        .wire = service::WireParts<MyPageService>(),
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
    };
}

}  // namespace reservo::approval_system
