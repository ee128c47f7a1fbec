// Adapters of notification: the event policy that records messages, and `/notifications`.
#include "kit/core/clock.hpp"
#include "kit/service/resource.hpp"
#include "systems/vaccine/notification/domain.hpp"
#include "systems/vaccine/notification/module.hpp"

namespace reservo::vaccine {
namespace {

constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER, event_type TEXT NOT NULL, "
     "message TEXT NOT NULL, correlation_id TEXT NOT NULL, event_id TEXT NOT NULL UNIQUE, sent_at TEXT NOT NULL);"
     "CREATE INDEX notifications_by_user ON notifications (user_id);"},
};

constexpr store::Sql kRecord{"record_notification",
                             "INSERT INTO notifications (user_id, event_type, message, correlation_id, event_id, "
                             "sent_at) VALUES (?, ?, ?, ?, ?, ?)"};

const service::Resource kNotifications{"notifications",
                                       "notifications",
                                       {{"id", "id", service::Column::kInt},
                                        {"userId", "user_id", service::Column::kInt},
                                        {"eventType", "event_type"},
                                        {"message", "message"},
                                        {"correlationId", "correlation_id"},
                                        {"sentAt", "sent_at"}}};

Status Record(const messaging::CloudEvent& e, store::Database& db) {
    auto msg = notice::Compose(e.type, e.data);
    if (!msg) return Ok();
    store::Value user = nullptr;
    if (msg->userId) user = *msg->userId;
    auto r = db.Execute(kRecord, {user, e.type, msg->text, e.subject, e.id, NowIso8601()});
    return r ? Ok() : Fail(r.error());
}

}  // namespace

service::ServiceModule NotificationModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "notification",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .wire = [](service::ServiceContext& ctx) -> Status {
            auto& r = ctx.router();
            auto& db = ctx.db();
            r.Get("/notifications",
                  [&db](http::Request& req) { return service::ListResource(req, db, kNotifications); });
            r.Get("/notifications/{id}",
                  [&db](http::Request& req) { return service::ShowResource(req, db, kNotifications); });
            r.Get("/notifications/search/findByUserId",
                  [&db](http::Request& req) { return service::FindResource(req, db, kNotifications, "userId"); });
            for (const char* type : {"VaccineRegistered", "VaccineReserved", "ReservationCancelled"})
                ctx.On(type, Record);
            return Ok();
        },
    };
}

}  // namespace reservo::vaccine
