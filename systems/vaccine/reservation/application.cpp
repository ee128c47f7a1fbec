#include "systems/vaccine/reservation/application.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "kit/core/deadline.hpp"
#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"
#include "systems/vaccine/events.hpp"

namespace reservo::vaccine::booking {
namespace {

// Query values are percent-encoded: hospitals and types may hold spaces or Korean text.
std::string Encoded(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// The dose-taking call, keyed by the reservation id (PUT /vaccineMgmts/updateVaccine). The key
// also goes as Idempotency-Key, so that vaccine-mgmt can tell a retry from new work.
http::Request TakeDose(int64_t id, const ReserveCommand& cmd) {
    http::Request take;
    take.method = "PUT";
    take.target = "/vaccineMgmts/updateVaccine?reservationId=" + std::to_string(id);
    std::string key = "reservation-";
    key.append(std::to_string(id));
    take.headers.Set("Idempotency-Key", key);
    if (cmd.vaccineId) {
        take.target += "&vaccineId=" + std::to_string(*cmd.vaccineId);
    } else {
        take.target += "&hospital=" + Encoded(cmd.hospital) + "&availableDate=" + Encoded(cmd.reservedDate) +
                       "&vaccineType=" + Encoded(cmd.vaccineType);
    }
    return take;
}

// vaccine-mgmt's refusal, as this service's own error (its `detail` kept).
Error Refusal(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    std::string detail = "vaccine-mgmt refused the dose";
    if (body && body->contains("detail") && (*body)["detail"].is_string()) detail = (*body)["detail"].as_string();
    Code code = http::CodeOfHttpStatus(answer.status);
    return Error{code == Code::kInvalidArgument || code == Code::kNotFound ? code : Code::kFailedPrecondition, detail};
}

template <class E>
E EventOf(const Reservation& r) {
    return E{r.id, r.id, r.userId, r.vaccineId, r.hospital, r.reservedDate, r.vaccineType, r.reservationStatus};
}

}  // namespace

Reservations::Reservations(const store::Table<Reservation>& reservations, service::UnitOfWork& uow,
                           service::Dependency& vaccine_mgmt, std::chrono::milliseconds abandon_after)
    : reservations_(reservations),
      uow_(uow),
      vaccine_mgmt_(vaccine_mgmt),
      reserve_(uow.context(), uow,
               {.name = "reserve-vaccine",
                .abandon_after = abandon_after,
                .compensate = [](const service::SagaStep& step, service::Tx& tx) {
                    ReservationAborted aborted{.reservationId = step.id};
                    if (const auto* v = step.data.if_contains("vaccineId"))
                        aborted.vaccineId = json::ToInt(*v, "vaccineId").value_or(0);
                    return tx.Publish(aborted);
                }}) {}

http::Awaitable<Result<Reservation>> Reservations::ReserveVaccine(ReserveCommand cmd) {
    RESERVO_CO_TRY(ValidateUser(cmd.userId));
    // An open circuit refuses at once: no pending step, no compensation event, no write at all.
    if (!vaccine_mgmt_.TryAdmit()) co_return Fail(Code::kUnavailable, "circuit to vaccine-mgmt is open");
    boost::json::object data;
    if (cmd.vaccineId) data["vaccineId"] = *cmd.vaccineId;
    auto begun = co_await reserve_.Begin(data);
    int64_t id = RESERVO_CO_TRY(std::move(begun));

    auto answer = co_await vaccine_mgmt_.Call(TakeDose(id, cmd), /*idempotent=*/true);
    if (!answer || answer->status >= 500) {
        // Unknown outcome: the dose may have been taken. Abort so vaccine-mgmt gives it back.
        (void)co_await reserve_.Abort(id, "vaccine-mgmt did not answer");
        co_return Fail(Code::kUnavailable,
                       answer ? "vaccine-mgmt answered " + std::to_string(answer->status) : answer.error().message);
    }
    if (answer->status != 200) {
        Error refusal = Refusal(*answer);
        (void)co_await reserve_.Drop(id, refusal.message);  // refused: nothing was taken
        co_return Fail(refusal);
    }
    auto lot = json::ParseObject(answer->body);
    if (!lot) {
        (void)co_await reserve_.Abort(id, "vaccine-mgmt answered an unreadable lot");
        co_return Fail(Code::kUnavailable, "vaccine-mgmt answered an unreadable lot");
    }
    if (deadline::Expired()) {
        // Nobody waits for this answer any more: a client told "timed out" must not find it booked.
        (void)co_await reserve_.Abort(id, "the request's deadline passed");
        co_return Fail(Code::kUnavailable,
                       "the request's deadline passed before the reservation was stored; nothing was reserved");
    }
    Reservation r{.id = id,
                  .userId = cmd.userId,
                  .vaccineId = json::ToInt((*lot)["id"], "id").value_or(0),
                  .hospital = json::ToString((*lot)["hospital"], "hospital").value_or(""),
                  .reservedDate = json::ToString((*lot)["availableDate"], "availableDate").value_or(""),
                  .vaccineType = json::ToString((*lot)["vaccineType"], "vaccineType").value_or(""),
                  .reservationStatus = std::string(kReserved)};
    co_return co_await uow_.Write([&](service::Tx& tx) -> Result<Reservation> {
        RESERVO_TRY(reserve_.Complete(tx, id));  // Unavailable when the sweeper aborted it meanwhile
        RESERVO_TRY(reservations_.Insert(tx.db(), r));
        RESERVO_TRY(tx.Publish(EventOf<VaccineReserved>(r)));
        return r;
    });
}

Result<Reservation> Reservations::CancelReservation(service::Tx& tx, int64_t id) {
    Reservation r = RESERVO_TRY(reservations_.Load(tx.db(), id));
    if (RESERVO_TRY(Cancel(r)) == CancelOutcome::kAlreadyCancelled) return r;
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(tx.Publish(EventOf<ReservationCancelled>(r)));
    return r;
}

}  // namespace reservo::vaccine::booking
