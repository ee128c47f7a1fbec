// Adapters of vaccine-mgmt: the resource `/vaccines`, the assignment ledger (`/assignments`, reads on
// the service's own port only: the gateway routes no such path), the policies on reservation's events,
// and the stock queries in SQL.
#include "kit/service/rest.hpp"
#include "systems/vaccine-approval/events.hpp"
#include "systems/vaccine-approval/vaccine-mgmt/application.hpp"
#include "systems/vaccine-approval/vaccine-mgmt/module.hpp"

namespace reservo::approval_system {
namespace {

using namespace stock;
using store::Sql;

const store::Table<VaccineLot> kLots({.collection = "vaccines",
                                      .finders = {"hospital", "vaccineType"},
                                      .checks = {"qty >= 0"}});

// One row per reservation (its id), so a dose is assigned and returned once.
const store::Table<Assignment> kAssignments(
    {.collection = "assignments", .finders = {"vaccineId"}, .indexes = {"vaccineId,state"}, .assigned_ids = true});

class SqlStock final : public Stock {
  public:
    Result<std::vector<VaccineLot>> LotsWithDoses(store::Database& db, const std::string& hospital) override {
        // Bounded: a hospital with more lots in stock than this is served from the first to expire.
        static const std::string kText =
            kLots.shape().select() + " WHERE hospital = ? AND qty > 0 ORDER BY expiry_date, id LIMIT 1000";
        auto rows = db.Query(Sql{"lots_with_doses_at_hospital", kText}, {hospital});
        if (!rows) return Fail(rows.error());
        std::vector<VaccineLot> out;
        out.reserve(rows->size());
        for (const auto& row : *rows) out.push_back(kLots.FromRow(row));
        return out;
    }
    Result<int64_t> HeldFrom(store::Database& db, int64_t lot_id) override {
        static constexpr Sql kCount{"count_doses_assigned_from_lot",
                                    "SELECT COUNT(*) FROM assignments WHERE vaccine_id = ? AND state = ?"};
        auto row = db.QueryOne(kCount, {lot_id, std::string(kAssigned)});
        if (!row) return Fail(row.error());
        return row->Int(0);
    }
};

struct VaccineMgmt {
    explicit VaccineMgmt(service::ServiceContext& ctx) : uow(ctx), assignments(kLots, kAssignments, stock) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kLots.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kAssignments.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kLots.shape());
        service::ExposeReads(ctx.router(), ctx.db(), kAssignments.shape());
        service::ExposeWrites<VaccineLot>(
            ctx.router(), uow, kLots,
            {.validate = ValidateLot,
             .removing = [this](const VaccineLot& lot, service::Tx& tx) { return assignments.CheckRemoval(tx, lot); }});
        service::On<ReservationApproved>(uow, [this](const ReservationApproved& e, service::Tx& tx) {
            return assignments.AssignVaccine(tx, {e.reservationId, e.hospital, e.reservationDate, e.vaccineType});
        });
        service::On<ReservationCancelRequested>(uow, [this](const ReservationCancelRequested& e, service::Tx& tx) {
            return assignments.ReleaseVaccine(tx, e.reservationId);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    SqlStock stock;
    VaccineAssignments assignments;
};

}  // namespace

service::ServiceModule VaccineMgmtModule() {
    return service::ServiceModule{
        .system = "vaccine-approval",
        .name = "vaccine-mgmt",
        .wire = service::WireParts<VaccineMgmt>(),
    };
}

}  // namespace reservo::approval_system
