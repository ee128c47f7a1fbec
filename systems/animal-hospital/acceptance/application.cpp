#include "systems/animal-hospital/acceptance/application.hpp"

#include "kit/core/try.hpp"

namespace reservo::animal_hospital::billing {

Status Bills::BillTreatment(service::Tx& tx, const Treated& e) {
    auto& db = tx.db();
    if (RESERVO_TRY(bills_.FindBy(db, "reservationId", e.reservationId))) return Ok();
    FinancialManagement bill = RESERVO_TRY(bills_.Insert(db, BillFor(e.reservationId)));
    return tx.Publish(Billed{bill.id, bill.reservationId, bill.fee, bill.status});
}

Result<FinancialManagement> Bills::PayBill(service::Tx& tx, int64_t id) {
    FinancialManagement bill = RESERVO_TRY(bills_.Load(tx.db(), id));
    if (!Pay(bill)) return bill;
    RESERVO_TRY(bills_.Update(tx.db(), bill));
    RESERVO_TRY(tx.Publish(Paid{bill.id, bill.reservationId, bill.fee, bill.status}));
    return bill;
}

}  // namespace reservo::animal_hospital::billing
