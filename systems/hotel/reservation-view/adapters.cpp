// Adapters of reservation-view: the view's projection (event policies) and `/reservationViews`.
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/reservation-view/domain.hpp"
#include "systems/hotel/reservation-view/module.hpp"

namespace reservo::hotel {
namespace {

using view::ReservationView;

const store::Table<ReservationView> kViews({.collection = "reservationViews",
                                            .finders = {"userId", "roomId", "reservationId", "reservStatus"},
                                            .unique = {"reservationId"}});

struct ReservationViewService {
    explicit ReservationViewService(service::ServiceContext& ctx) : uow(ctx), view(uow, kViews, "reservationId") {}

    template <class E>
    static void Apply(const E& e, ReservationView& row) {
        view::Project(e, row);
    }

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kViews.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kViews.shape());
        view.Create<ReservationCompleted>(Apply<ReservationCompleted>);
        view.Update<ReservationCancelRequested>(Apply<ReservationCancelRequested>);
        view.Update<PayCanceled>(Apply<PayCanceled>);
        view.Update<ReservationCanceled>(Apply<ReservationCanceled>);
        return Ok();
    }

    service::UnitOfWork uow;
    service::Projection<ReservationView> view;
};

}  // namespace

service::ServiceModule ReservationViewModule() {
    return service::ServiceModule{
        .system = "hotel",
        .name = "reservation-view",
        .wire = service::WireParts<ReservationViewService>(),
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
    };
}

}  // namespace reservo::hotel
