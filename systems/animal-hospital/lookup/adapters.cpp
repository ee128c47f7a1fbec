// Adapters of lookup: the view's projection (event policies) and `/reservationStats`.
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "systems/animal-hospital/events.hpp"
#include "systems/animal-hospital/lookup/domain.hpp"
#include "systems/animal-hospital/lookup/module.hpp"

namespace reservo::animal_hospital {
namespace {

using lookup::ReservationStat;

const store::Table<ReservationStat> kStats({.collection = "reservationStats",
                                            .finders = {"reservationId", "reservatorName", "phoneNumber",
                                                        "reservationStatus", "paymentStatus"},
                                            .unique = {"reservationId"}});

struct LookupService {
    explicit LookupService(service::ServiceContext& ctx) : uow(ctx), view(uow, kStats, "reservationId") {}

    template <class E>
    static void Apply(const E& e, ReservationStat& row) {
        lookup::Project(e, row);
    }

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kStats.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kStats.shape());
        view.Create<ReservationReserved>(Apply<ReservationReserved>);
        view.Create<ReservationChanged>(Apply<ReservationChanged>);
        view.Create<ReservationCanceled>(Apply<ReservationCanceled>);
        view.Create<Treated>(Apply<Treated>);
        view.Create<Billed>(Apply<Billed>);
        view.Create<Paid>(Apply<Paid>);
        return Ok();
    }

    service::UnitOfWork uow;
    service::Projection<ReservationStat> view;
};

}  // namespace

service::ServiceModule LookupModule() {
    return service::ServiceModule{
        .system = "animal-hospital",
        .name = "lookup",
        .wire = service::WireParts<LookupService>(),
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
    };
}

}  // namespace reservo::animal_hospital
