// Adapters of notification: the policy that records an SMS per notifying event, and
// `/smsHistories` served from the documents.
#include "kit/core/clock.hpp"
#include "kit/http/router.hpp"
#include "kit/json/json.hpp"
#include "kit/service/unit_of_work.hpp"
#include "systems/course/events.hpp"
#include "systems/course/notification/documents.hpp"
#include "systems/course/notification/domain.hpp"
#include "systems/course/notification/module.hpp"

namespace reservo::course {
namespace {

struct NotificationService {
    explicit NotificationService(service::ServiceContext& ctx) : uow(ctx) {}

    // Each event is applied with its inbox record in one transaction: a redelivery sends nothing.
    template <class E>
    void Notify() {
        service::On<E>(uow, [this](const E& e, service::Tx& tx) -> Status {
            sms::SmsHistory history = sms::Compose(e);
            const messaging::CloudEvent& cause = *tx.cause();
            history.eventType = cause.type;
            history.eventId = cause.id;
            history.sentAt = NowIso8601();
            auto id = documents.Insert(tx.db(), json::ToObject(history));
            return id ? Ok() : Fail(id.error());
        });
    }

    Status Wire(service::ServiceContext& ctx) {
        auto& r = ctx.router();
        auto& db = ctx.db();
        r.Get("/smsHistories", [this, &db](http::Request& req) { return documents.List(req, db); });
        r.Get("/smsHistories/{id}", [this, &db](http::Request& req) { return documents.Show(req, db); });
        r.Get("/smsHistories/search", [this](http::Request& req) { return documents.Search(req); });
        r.Get("/smsHistories/search/findByProfessorNo",
              [this, &db](http::Request& req) { return documents.FindBy(req, db, "professorNo"); });
        r.Get("/smsHistories/search/findByCourseId",
              [this, &db](http::Request& req) { return documents.FindBy(req, db, "courseId"); });
        Notify<ProfessorApplied>();
        Notify<ApplymentCanceled>();
        Notify<ProfessorConfirmed>();
        return Ok();
    }

    service::UnitOfWork uow;
    sms::SmsDocuments documents;
};

}  // namespace

service::ServiceModule NotificationModule() {
    return service::ServiceModule{
        .system = "course",
        .name = "notification",
        .migrations = {std::begin(sms::kSmsSchema), std::end(sms::kSmsSchema)},
        .wire = service::WireParts<NotificationService>(),
    };
}

}  // namespace reservo::course
