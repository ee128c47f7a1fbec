#include "systems/vaccine-approval/reservation/application.hpp"

#include "kit/core/deadline.hpp"
#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"
#include "systems/vaccine-approval/events.hpp"

namespace reservo::approval_system::booking {
namespace {

// The approving call, keyed by the reservation id (POST /approvals).
http::Request AskApproval(int64_t id, const ReservationRequest& r) {
    http::Request ask;
    ask.method = "POST";
    ask.target = "/approvals";
    ask.headers.Set("Content-Type", "application/json");
    ask.body = json::Serialize(boost::json::object{{"reservationId", id},
                                                   {"customerId", r.customerId},
                                                   {"customerName", r.customerName},
                                                   {"hospital", r.hospital},
                                                   {"reservationDate", r.reservationDate}});
    return ask;
}

// approval's refusal, as this service's own error (its `detail` kept): 409 not approved, 400 input it
// refuses; any other 4xx means approval could not decide — unavailable, nothing decided.
Error Refusal(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    std::string detail = "approval refused the reservation";
    if (body && body->contains("detail") && (*body)["detail"].is_string()) detail = (*body)["detail"].as_string();
    if (answer.status == 409) return Error{Code::kFailedPrecondition, "not approved: " + detail};
    if (answer.status == 400) return Error{Code::kInvalidArgument, detail};
    return Error{Code::kUnavailable, "approval answered " + std::to_string(answer.status) + ": " + detail};
}

// The approval's id from an answer that approves; nullopt for anything else.
std::optional<int64_t> ApprovalId(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    if (!body) return std::nullopt;
    const auto* status = body->if_contains("status");
    const auto* id = body->if_contains("id");
    if (!status || !status->is_string() || status->as_string() != "approved" || !id) return std::nullopt;
    auto n = json::ToInt(*id, "id");
    if (!n || *n <= 0) return std::nullopt;
    return *n;
}

ReservationApproved ApprovedEvent(const Reservation& r) {
    return {r.id,          r.customerId, r.customerName, r.hospital, r.reservationDate.iso,
            r.vaccineType, r.approvalId, r.status};
}

}  // namespace

Reservations::Reservations(const store::Table<Reservation>& reservations, service::UnitOfWork& uow,
                           service::Dependency& approval, std::chrono::milliseconds abandon_after)
    : reservations_(reservations),
      uow_(uow),
      approval_(approval),
      reserve_(uow.context(), uow,
               {.name = "reserve-vaccination",
                .abandon_after = abandon_after,
                .compensate = [](const service::SagaStep& step, service::Tx& tx) {
                    auto text = [&](const char* key) {
                        const auto* v = step.data.if_contains(key);
                        return v ? json::ToString(*v, key).value_or("") : std::string();
                    };
                    ReservationAborted aborted{.reservationId = step.id,
                                               .customerName = text("customerName"),
                                               .hospital = text("hospital"),
                                               .reservationDate = text("reservationDate")};
                    if (const auto* v = step.data.if_contains("customerId"))
                        aborted.customerId = json::ToInt(*v, "customerId").value_or(0);
                    return tx.Publish(aborted);
                }}) {}

http::Awaitable<Result<Reservation>> Reservations::ReserveVaccination(ReservationRequest request) {
    RESERVO_CO_TRY(ValidateRequest(request));
    // An open circuit refuses at once: no pending step, no compensation event, no write at all.
    if (!approval_.TryAdmit()) co_return Fail(Code::kUnavailable, "circuit to approval is open");
    // What the compensation tells approval (ReservationAborted).
    boost::json::object step;
    step["customerId"] = request.customerId;
    step["customerName"] = request.customerName;
    step["hospital"] = request.hospital;
    step["reservationDate"] = request.reservationDate;
    auto begun = co_await reserve_.Begin(std::move(step));
    int64_t id = RESERVO_CO_TRY(std::move(begun));

    auto answer = co_await approval_.Call(AskApproval(id, request), /*idempotent=*/true);
    if (!answer || answer->status >= 500) {
        // Unknown outcome: approval may have approved. Abort so it withdraws that approval.
        (void)co_await reserve_.Abort(id, "approval did not answer");
        co_return Fail(Code::kUnavailable,
                       answer ? "approval answered " + std::to_string(answer->status) : answer.error().message);
    }
    if (answer->status != 200 && answer->status != 201) {
        Error refusal = Refusal(*answer);
        (void)co_await reserve_.Drop(id, refusal.message);  // nothing was approved
        co_return Fail(refusal);
    }
    auto approval_id = ApprovalId(*answer);
    if (!approval_id) {
        (void)co_await reserve_.Abort(id, "approval answered an unreadable approval");
        co_return Fail(Code::kUnavailable, "approval answered an unreadable approval");
    }
    if (deadline::Expired()) {
        // Nobody waits for this answer any more: a client told "timed out" must not find it booked.
        (void)co_await reserve_.Abort(id, "the request's deadline passed");
        co_return Fail(Code::kUnavailable,
                       "the request's deadline passed before the reservation was stored; nothing was reserved");
    }
    Reservation r = Approve(id, request, *approval_id);
    co_return co_await uow_.Write([&](service::Tx& tx) -> Result<Reservation> {
        RESERVO_TRY(reserve_.Complete(tx, id, "approved"));  // Unavailable when the sweeper aborted it meanwhile
        RESERVO_TRY(reservations_.Insert(tx.db(), r));
        RESERVO_TRY(tx.Publish(ApprovedEvent(r)));
        return r;
    });
}

Result<Reservation> Reservations::RequestCancellation(service::Tx& tx, int64_t id) {
    Reservation r = RESERVO_TRY(reservations_.Load(tx.db(), id));
    if (RESERVO_TRY(RequestCancel(r)) == CancelOutcome::kAlreadyRequested) return r;
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(tx.Publish(ReservationCancelRequested{r.id, r.customerId, r.status}));
    RESERVO_TRY(reserve_.Record(tx, std::to_string(id), "cancel-requested"));
    return r;
}

Status Reservations::CompleteReservation(service::Tx& tx, int64_t id, const AssignedVaccine& vaccine) {
    auto r = RESERVO_TRY(reservations_.Find(tx.db(), id));
    if (!r || !Complete(*r, vaccine)) return Ok();  // not ours, a repeat, or cancelled first
    RESERVO_TRY(reservations_.Update(tx.db(), *r));
    return reserve_.Record(tx, std::to_string(id), "completed", "vaccine lot " + std::to_string(vaccine.vaccineId));
}

Status Reservations::RejectReservation(service::Tx& tx, int64_t id, std::string reason) {
    auto r = RESERVO_TRY(reservations_.Find(tx.db(), id));
    if (!r || !Reject(*r, reason)) return Ok();
    RESERVO_TRY(reservations_.Update(tx.db(), *r));
    return reserve_.Record(tx, std::to_string(id), "rejected", std::move(reason));
}

Status Reservations::ConfirmCancellation(service::Tx& tx, int64_t id) {
    auto r = RESERVO_TRY(reservations_.Find(tx.db(), id));
    if (!r || !ConfirmCancel(*r)) return Ok();
    RESERVO_TRY(reservations_.Update(tx.db(), *r));
    return reserve_.Record(tx, std::to_string(id), "cancelled");
}

}  // namespace reservo::approval_system::booking
