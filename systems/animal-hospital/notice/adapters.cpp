// Adapters of notice: the policies that send a message on every reservation event, and the
// read-only resource `/notices` of the messages sent.
#include "kit/core/clock.hpp"
#include "kit/core/try.hpp"
#include "kit/service/rest.hpp"
#include "systems/animal-hospital/events.hpp"
#include "systems/animal-hospital/notice/domain.hpp"
#include "systems/animal-hospital/notice/module.hpp"

namespace reservo::animal_hospital {
namespace {

using notice::Notice;

const store::Table<Notice> kNotices({.collection = "notices",
                                     .finders = {"reservationId", "phoneNumber", "reservationStatus"},
                                     .unique = {"eventId"}});

// Sends (records) the message for one reservation event, once per event.
template <class E>
Status Send(const E& e, service::Tx& tx) {
    std::string event_id = tx.cause() ? tx.cause()->id : "";
    if (!event_id.empty() && RESERVO_TRY(kNotices.FindBy(tx.db(), "eventId", event_id))) return Ok();
    RESERVO_TRY(
        kNotices.Insert(tx.db(), Notice{.reservationId = e.id,
                                        .reservatorName = e.reservatorName,
                                        .phoneNumber = e.phoneNumber,
                                        .reservationStatus = e.status,
                                        .message = notice::MessageFor(e.status, e.reservatorName, e.reservationDate),
                                        .eventId = event_id,
                                        .sentAt = NowIso8601()}));
    return Ok();
}

struct NoticeService {
    explicit NoticeService(service::ServiceContext& ctx) : uow(ctx) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kNotices.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kNotices.shape());
        service::On<ReservationReserved>(uow, Send<ReservationReserved>);
        service::On<ReservationChanged>(uow, Send<ReservationChanged>);
        service::On<ReservationCanceled>(uow, Send<ReservationCanceled>);
        return Ok();
    }

    service::UnitOfWork uow;
};

}  // namespace

service::ServiceModule NoticeModule() {
    return service::ServiceModule{
        .system = "animal-hospital",
        .name = "notice",
        .wire = service::WireParts<NoticeService>(),
    };
}

}  // namespace reservo::animal_hospital
