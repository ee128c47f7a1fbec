// Adapters of vaccine-mgmt: the resource `/vaccineMgmts`, the dose-taking call, the dose-release
// policy, and the dose ledger in SQL.
#include "kit/core/clock.hpp"
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine/events.hpp"
#include "systems/vaccine/vaccine-mgmt/application.hpp"
#include "systems/vaccine/vaccine-mgmt/module.hpp"

namespace reservo::vaccine {
namespace {

using namespace mgmt;
using store::Sql;

const store::Table<VaccineLot> kLots({.collection = "vaccineMgmts",
                                      .finders = {"hospital", "availableDate"},
                                      .indexes = {"hospital,availableDate,vaccineType"},
                                      .checks = {"qty >= 0"}});

constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE IF NOT EXISTS dose_takings (reservation_id TEXT PRIMARY KEY, vaccine_id INTEGER NOT NULL, "
     "state TEXT NOT NULL, updated_at TEXT NOT NULL);"},
    // Deleting a lot asks whether active reservations hold its doses.
    {2, "CREATE INDEX IF NOT EXISTS dose_takings_by_lot ON dose_takings (vaccine_id, state);"},
};

class SqlDoseLedger final : public DoseLedger {
  public:
    Result<std::optional<VaccineLot>> FirstLot(store::Database& db, const DoseRequest& r) override {
        static const std::string kText = kLots.shape().select() +
                                         " WHERE hospital = ? AND available_date = ? AND vaccine_type = ? "
                                         "ORDER BY CASE WHEN qty > 0 THEN 0 ELSE 1 END, id LIMIT 1";
        auto rows = db.Query(Sql{"find_lot_for_dose", kText}, {r.hospital, r.availableDate, r.vaccineType});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<VaccineLot>();
        return std::optional<VaccineLot>(kLots.FromRow(rows->front()));
    }
    Result<std::optional<DoseTaking>> TakingOf(store::Database& db, const std::string& reservationId) override {
        static constexpr Sql kFind{"find_dose_taking",
                                   "SELECT vaccine_id, state FROM dose_takings WHERE reservation_id = ?"};
        auto rows = db.Query(kFind, {reservationId});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<DoseTaking>();
        auto state = ParseDoseState(rows->front().Text(1)).value_or(DoseState::kVoided);
        return std::optional<DoseTaking>(DoseTaking{reservationId, rows->front().Int(0), state});
    }
    Status Record(store::Database& db, const DoseTaking& t) override {
        static constexpr Sql kUpsert{"record_dose_taking",
                                     "INSERT INTO dose_takings (reservation_id, vaccine_id, state, updated_at) "
                                     "VALUES (?, ?, ?, ?) ON CONFLICT (reservation_id) DO UPDATE SET "
                                     "state = excluded.state, updated_at = excluded.updated_at"};
        auto r = db.Execute(kUpsert, {t.reservationId, t.vaccineId, std::string(DoseStateName(t.state)), NowIso8601()});
        return r ? Ok() : Fail(r.error());
    }
    Result<int64_t> HeldFrom(store::Database& db, int64_t lot_id) override {
        static constexpr Sql kCount{"count_doses_taken_from_lot",
                                    "SELECT COUNT(*) FROM dose_takings WHERE vaccine_id = ? AND state = ?"};
        auto row = db.QueryOne(kCount, {lot_id, std::string(DoseStateName(DoseState::kTaken))});
        if (!row) return Fail(row.error());
        return row->Int(0);
    }
};

// `PUT /vaccineMgmts/updateVaccine?reservationId=&vaccineId=` or `&hospital=&availableDate=&vaccineType=`.
Result<DoseRequest> ReadDoseRequest(const http::Request& req) {
    DoseRequest dose;
    if (auto v = req.Query("vaccineId")) {
        auto id = json::ToInt(boost::json::value(*v), "vaccineId");
        if (!id) return Fail(id.error());
        if (*id <= 0) return Fail(Code::kInvalidArgument, "vaccineId: must be positive");
        dose.vaccineId = *id;
    } else {
        dose.hospital = req.Query("hospital").value_or("");
        dose.vaccineType = req.Query("vaccineType").value_or("");
        auto date = json::NormalizeDate(req.Query("availableDate").value_or(""));
        if (json::IsBlank(dose.hospital) || json::IsBlank(dose.vaccineType) || !date) {
            return Fail(Code::kInvalidArgument, "give vaccineId, or hospital, availableDate and vaccineType");
        }
        dose.availableDate = *date;
    }
    dose.reservationId = req.Query("reservationId").value_or("");
    if (dose.reservationId.size() > 64) return Fail(Code::kInvalidArgument, "reservationId: at most 64 characters");
    return dose;
}

struct VaccineMgmt {
    explicit VaccineMgmt(service::ServiceContext& ctx) : uow(ctx), lots(kLots, ledger) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kLots.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kLots.shape());
        service::ExposeWrites<VaccineLot>(
            ctx.router(), uow, kLots,
            {.read_only = {"vaccineStatus"},
             .prepare = Register,
             .validate = ValidateLot,
             .created =
                 [](const VaccineLot& lot, service::Tx& tx) {
                     return tx.Publish(VaccineRegistered{lot.id, lot.vaccineType, lot.hospital, lot.availableDate.iso,
                                                         lot.qty, lot.vaccineStatus});
                 },
             .removing = [this](const VaccineLot& lot, service::Tx& tx) { return lots.CheckRemoval(tx, lot); }});
        ctx.router().PutAsync(
            "/vaccineMgmts/updateVaccine", [this](http::Request& req) -> http::Awaitable<http::Response> {
                auto dose = ReadDoseRequest(req);
                if (!dose) co_return http::ProblemFrom(dose.error());
                auto lot = co_await uow.Write([&](service::Tx& tx) { return lots.TakeDose(tx, *dose); });
                if (!lot) co_return http::ProblemFrom(lot.error());
                co_return http::EntityResponse(req, 200, "vaccineMgmts", lot->id, service::EntityJson(kLots, *lot));
            });
        service::On<ReservationCancelled>(uow, [this](const ReservationCancelled& e, service::Tx& tx) {
            return lots.ReleaseDose(tx, std::to_string(e.reservationId));
        });
        service::On<ReservationAborted>(uow, [this](const ReservationAborted& e, service::Tx& tx) {
            return lots.ReleaseDose(tx, std::to_string(e.reservationId));
        });
        return Ok();
    }

    service::UnitOfWork uow;
    SqlDoseLedger ledger;
    VaccineLots lots;
};

}  // namespace

service::ServiceModule VaccineMgmtModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "vaccine-mgmt",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .wire = service::WireParts<VaccineMgmt>(),
    };
}

}  // namespace reservo::vaccine
