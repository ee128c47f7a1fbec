#include "systems/animal-hospital/acceptance/domain.hpp"

namespace reservo::animal_hospital::billing {

FinancialManagement BillFor(int64_t reservation_id) {
    return FinancialManagement{.reservationId = reservation_id, .fee = kFee, .status = std::string(kBilled)};
}

Result<bool> IsPayment(std::string_view requested, std::string_view current) {
    if (requested == current) return false;
    if (requested == kPaid) return true;
    if (requested == kBilled) return Fail(Code::kFailedPrecondition, "a paid bill cannot be billed again");
    return Fail(Code::kInvalidArgument, "status: only \"paid\" can be requested");
}

bool Pay(FinancialManagement& bill) {
    if (bill.status == kPaid) return false;
    bill.status = std::string(kPaid);
    return true;
}

}  // namespace reservo::animal_hospital::billing
