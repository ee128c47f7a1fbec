// Acceptance (billing) domain: a treated reservation is billed once, at the hospital's fee, and the
// bill is paid once. Pure rules, no I/O.
#pragma once

#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::animal_hospital::billing {

inline constexpr std::string_view kBilled = "billed";
inline constexpr std::string_view kPaid = "paid";
inline constexpr int64_t kFee = 10000;  // the seed's treatment fee

// A bill (the aggregate): the resource `/financialManagements`, one per treated reservation.
struct FinancialManagement {
    int64_t id = 0;
    int64_t reservationId = 0;
    int64_t fee = 0;
    std::string status;
};
BOOST_DESCRIBE_STRUCT(FinancialManagement, (), (id, reservationId, fee, status))

// The bill for a reservation's treatment.
FinancialManagement BillFor(int64_t reservation_id);

// A status asked for through PATCH: "paid" is the command (true); the current status changes
// nothing (false); a paid bill cannot be billed again (FailedPrecondition); any other is refused.
Result<bool> IsPayment(std::string_view requested, std::string_view current);
// Pays the bill: true when Paid is due (a repeat is not a second payment).
bool Pay(FinancialManagement& bill);

}  // namespace reservo::animal_hospital::billing
