// Adapters of acceptance: the resource `/financialManagements` (reads, and paying by PATCH) and
// the policy that bills every treatment.
#include "kit/service/rest.hpp"
#include "systems/animal-hospital/acceptance/application.hpp"
#include "systems/animal-hospital/acceptance/module.hpp"
#include "systems/animal-hospital/events.hpp"

namespace reservo::animal_hospital {
namespace {

using namespace billing;

const store::Table<FinancialManagement> kBills({.collection = "financialManagements",
                                                .finders = {"reservationId", "status"},
                                                .unique = {"reservationId"},
                                                .checks = {"fee >= 0"}});

struct AcceptanceService {
    explicit AcceptanceService(service::ServiceContext& ctx) : uow(ctx), bills(kBills) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kBills.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kBills.shape());
        service::ExposeStatusCommand<FinancialManagement>(
            ctx.router(), uow, kBills, "status",
            [](const std::string& requested, const FinancialManagement& current) {
                return IsPayment(requested, current.status);
            },
            [this](service::Tx& tx, int64_t id) { return bills.PayBill(tx, id); });
        service::On<Treated>(uow, [this](const Treated& e, service::Tx& tx) { return bills.BillTreatment(tx, e); });
        return Ok();
    }

    service::UnitOfWork uow;
    Bills bills;
};

}  // namespace

service::ServiceModule AcceptanceModule() {
    return service::ServiceModule{
        .system = "animal-hospital",
        .name = "acceptance",
        .wire = service::WireParts<AcceptanceService>(),
    };
}

}  // namespace reservo::animal_hospital
