// Adapters of mypage: the view's projection (event policies) and `/myPages`.
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine/events.hpp"
#include "systems/vaccine/mypage/domain.hpp"
#include "systems/vaccine/mypage/module.hpp"

namespace reservo::vaccine {
namespace {

using view::MyPage;

const store::Table<MyPage> kMyPages({.collection = "myPages",
                                     .finders = {"userId", "reservationId"},
                                     .unique = {"reservationId"}});

struct MyPageService {
    explicit MyPageService(service::ServiceContext& ctx) : uow(ctx), view(uow, kMyPages, "reservationId") {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kMyPages.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kMyPages.shape());
        view.Create<VaccineReserved>([](const VaccineReserved& e, MyPage& row) { view::Project(e, row); });
        view.Update<ReservationCancelled>(
            [](const ReservationCancelled& e, MyPage& row) { row.reservationStatus = e.reservationStatus; });
        return Ok();
    }

    service::UnitOfWork uow;
    service::Projection<MyPage> view;
};

}  // namespace

service::ServiceModule MyPageModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "mypage",
        .wire = service::WireParts<MyPageService>(),
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
    };
}

}  // namespace reservo::vaccine
