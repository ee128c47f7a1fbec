// Approval use cases, each inside one transaction (a Tx from the unit of work):
// ApproveReservation (synchronous, for reservation: POST /approvals), WithdrawApproval (the policy on
// ReservationAborted) and CloseApproval (on ReservationCancelRequested and VaccineAssignFailed: the
// customer may book again). Decisions are the domain's (domain.hpp); this layer loads and stores.
#pragma once

#include <string>
#include <string_view>

#include "kit/service/unit_of_work.hpp"
#include "kit/store/table.hpp"
#include "systems/vaccine-approval/approval/domain.hpp"

namespace reservo::approval_system::approvals {

// A decision as the caller sees it: the approval, and whether it was made by an earlier request.
struct Decision {
    Approval approval;
    bool repeated = false;
};

class Approvals final {
  public:
    Approvals(const store::Table<Approval>& approvals, ApprovalPolicy policy)
        : approvals_(approvals), policy_(policy) {}

    // The dates open for booking today.
    Result<BookingWindow> BookingWindowToday() const;
    // Approves once per reservation id; refusals (FailedPrecondition) store nothing.
    Result<Decision> ApproveReservation(service::Tx& tx, const ApprovalRequest& request);
    // The reservation was never stored: its approval is withdrawn, or — the abort overtook the
    // request — a withdrawn record refuses the request when it comes.
    Status WithdrawApproval(service::Tx& tx, const ApprovalRequest& aborted);
    // The reservation was rejected or cancelled: its approval no longer holds the customer's turn.
    Status CloseApproval(service::Tx& tx, int64_t reservationId);

  private:
    const store::Table<Approval>& approvals_;
    ApprovalPolicy policy_;
};

}  // namespace reservo::approval_system::approvals
