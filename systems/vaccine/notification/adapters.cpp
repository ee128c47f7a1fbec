// Adapters of notification: the policy that records a message per notifying event, and `/notifications`.
#include "kit/core/clock.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine/events.hpp"
#include "systems/vaccine/notification/domain.hpp"
#include "systems/vaccine/notification/module.hpp"

namespace reservo::vaccine {
namespace {

using notice::Notification;

const store::Table<Notification> kNotifications(
    {.collection = "notifications", .finders = {"userId"}, .unique = {"eventId"}, .hidden = {"eventId"}});

struct NotificationService {
    explicit NotificationService(service::ServiceContext& ctx) : uow(ctx) {}

    template <class E>
    void Notify() {
        service::On<E>(uow, [](const E& e, service::Tx& tx) -> Status {
            notice::Message msg = notice::Compose(e);
            const messaging::CloudEvent& cause = *tx.cause();
            auto r = kNotifications.Insert(tx.db(), {.userId = msg.userId,
                                                     .eventType = cause.type,
                                                     .message = msg.text,
                                                     .correlationId = cause.subject,
                                                     .eventId = cause.id,
                                                     .sentAt = NowIso8601()});
            return r ? Ok() : Fail(r.error());
        });
    }

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kNotifications.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kNotifications.shape());
        Notify<VaccineRegistered>();
        Notify<VaccineReserved>();
        Notify<ReservationCancelled>();
        return Ok();
    }

    service::UnitOfWork uow;
};

}  // namespace

service::ServiceModule NotificationModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "notification",
        .wire = service::WireParts<NotificationService>(),
    };
}

}  // namespace reservo::vaccine
