#include "systems/vaccine-approval/approval/application.hpp"

#include "kit/core/clock.hpp"
#include "kit/core/try.hpp"

namespace reservo::approval_system::approvals {
namespace {

// Dates are calendar days in UTC, as every service of the system stamps them.
std::string Today() { return NowIso8601().substr(0, 10); }

}  // namespace

Result<BookingWindow> Approvals::BookingWindowToday() const { return WindowOf(Today(), policy_); }

Result<Decision> Approvals::ApproveReservation(service::Tx& tx, const ApprovalRequest& request) {
    auto& db = tx.db();
    RESERVO_TRY(ValidateRequest(request));
    if (auto decided = RESERVO_TRY(approvals_.FindBy(db, "reservationId", request.reservationId))) {
        return Decision{RESERVO_TRY(Repeat(*decided, request)), true};
    }
    auto customers = RESERVO_TRY(approvals_.Where(db, "customerId", request.customerId));
    Approval approval = RESERVO_TRY(Decide(request, customers, Today(), policy_));
    approval.decidedAt = NowIso8601();
    return Decision{RESERVO_TRY(approvals_.Insert(db, std::move(approval))), false};
}

Status Approvals::WithdrawApproval(service::Tx& tx, const ApprovalRequest& aborted) {
    auto& db = tx.db();
    auto decided = RESERVO_TRY(approvals_.FindBy(db, "reservationId", aborted.reservationId));
    if (!decided) {
        RESERVO_TRY(approvals_.Insert(db, {.reservationId = aborted.reservationId,
                                           .customerId = aborted.customerId,
                                           .customerName = aborted.customerName,
                                           .hospital = aborted.hospital,
                                           .reservationDate = {aborted.reservationDate},
                                           .status = std::string(kWithdrawn),
                                           .decidedAt = NowIso8601()}));
        return Ok();
    }
    if (!Withdraw(*decided)) return Ok();
    return approvals_.Update(db, *decided);
}

Status Approvals::CloseApproval(service::Tx& tx, int64_t reservationId) {
    auto& db = tx.db();
    auto decided = RESERVO_TRY(approvals_.FindBy(db, "reservationId", reservationId));
    if (!decided || !Close(*decided)) return Ok();
    return approvals_.Update(db, *decided);
}

}  // namespace reservo::approval_system::approvals
