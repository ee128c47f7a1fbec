// Adapters of mypage: the view handler (event policies) and `/myPages`.
#include "kit/service/resource.hpp"
#include "systems/vaccine/mypage/domain.hpp"
#include "systems/vaccine/mypage/module.hpp"

namespace reservo::vaccine {
namespace {

constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE my_pages (id INTEGER PRIMARY KEY AUTOINCREMENT, reservation_id INTEGER NOT NULL UNIQUE, "
     "user_id INTEGER NOT NULL, reservation_status TEXT NOT NULL, reserved_date TEXT NOT NULL, "
     "hospital TEXT NOT NULL, vaccine_type TEXT NOT NULL);"
     "CREATE INDEX my_pages_by_user ON my_pages (user_id);"},
};

constexpr store::Sql kCreate{"create_my_page",
                             "INSERT INTO my_pages (reservation_id, user_id, reservation_status, reserved_date, "
                             "hospital, vaccine_type) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reservation_id) DO "
                             "NOTHING"};
constexpr store::Sql kSetStatus{"set_my_page_status",
                                "UPDATE my_pages SET reservation_status = ? WHERE reservation_id = ?"};

const service::Resource kMyPages{"myPages",
                                 "my_pages",
                                 {{"id", "id", service::Column::kInt},
                                  {"reservationId", "reservation_id", service::Column::kInt},
                                  {"userId", "user_id", service::Column::kInt},
                                  {"reservationStatus", "reservation_status"},
                                  {"reservedDate", "reserved_date"},
                                  {"hospital", "hospital"},
                                  {"vaccineType", "vaccine_type"}}};

Status WhenVaccineReserved(const messaging::CloudEvent& e, store::Database& db) {
    auto row = view::Project(e.data);
    if (!row) return Fail(row.error());
    auto r = db.Execute(kCreate, {row->reservationId, row->userId, row->reservationStatus, row->reservedDate,
                                  row->hospital, row->vaccineType});
    return r ? Ok() : Fail(r.error());
}

Status WhenReservationCancelled(const messaging::CloudEvent& e, store::Database& db) {
    auto row = view::Project(e.data);
    if (!row) return Fail(row.error());
    auto r = db.Execute(kSetStatus, {row->reservationStatus, row->reservationId});
    return r ? Ok() : Fail(r.error());
}

}  // namespace

service::ServiceModule MyPageModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "mypage",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .wire = [](service::ServiceContext& ctx) -> Status {
            auto& r = ctx.router();
            auto& db = ctx.db();
            r.Get("/myPages", [&db](http::Request& req) { return service::ListResource(req, db, kMyPages); });
            r.Get("/myPages/{id}", [&db](http::Request& req) { return service::ShowResource(req, db, kMyPages); });
            r.Get("/myPages/search/findByUserId",
                  [&db](http::Request& req) { return service::FindResource(req, db, kMyPages, "userId"); });
            r.Get("/myPages/search/findByReservationId",
                  [&db](http::Request& req) { return service::FindResource(req, db, kMyPages, "reservationId"); });
            ctx.On("VaccineReserved", WhenVaccineReserved);
            ctx.On("ReservationCancelled", WhenReservationCancelled);
            return Ok();
        },
        .view_version = 1,  // a view: rebuilt from the event log when its store is lost
        .view_tables = {"my_pages"},
    };
}

}  // namespace reservo::vaccine
