// Acceptance use cases, each inside one transaction: the policy that bills a treatment (→ Billed,
// once per reservation, however often Treated is delivered) and paying a bill (→ Paid, once).
#pragma once

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/animal-hospital/acceptance/domain.hpp"
#include "systems/animal-hospital/events.hpp"

namespace reservo::animal_hospital::billing {

class Bills final {
  public:
    explicit Bills(const store::Table<FinancialManagement>& bills) : bills_(bills) {}

    Status BillTreatment(service::Tx& tx, const Treated& treated);
    Result<FinancialManagement> PayBill(service::Tx& tx, int64_t id);

  private:
    const store::Table<FinancialManagement>& bills_;
};

}  // namespace reservo::animal_hospital::billing
