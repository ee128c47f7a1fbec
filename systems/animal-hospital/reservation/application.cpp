#include "systems/animal-hospital/reservation/application.hpp"

#include "kit/core/deadline.hpp"
#include "kit/core/try.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::animal_hospital::booking {
namespace {

// The record-opening call, keyed by the reservation id (POST /medicalRecords on diagnosis).
http::Request OpenRecordRequest(int64_t reservation_id, const ReserveCommand& c) {
    http::Request open;
    open.method = "POST";
    open.target = "/medicalRecords";
    open.headers.Set("Content-Type", "application/json");
    open.body = json::Serialize(boost::json::object{{"reservationId", reservation_id},
                                                    {"reservationDate", c.reservationDate},
                                                    {"doctor", kDoctor},
                                                    {"medicalOpinion", kFirstOpinion}});
    return open;
}

// diagnosis's refusal, as this service's own error (its `detail` kept).
Error Refusal(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    std::string detail = "diagnosis refused";
    if (body && body->contains("detail") && (*body)["detail"].is_string()) {
        detail = "diagnosis refused: " + std::string((*body)["detail"].as_string());
    }
    Code code = http::CodeOfHttpStatus(answer.status);
    return Error{code == Code::kInvalidArgument ? code : Code::kFailedPrecondition, detail};
}

// The id of the record diagnosis answered, or 0.
int64_t RecordId(const http::Response& answer) {
    auto body = json::ParseObject(answer.body);
    if (!body) return 0;
    const auto* id = body->if_contains("id");
    return id ? json::ToInt(*id, "id").value_or(0) : 0;
}

template <class E>
E EventOf(const Reservation& r) {
    return E{r.id, r.reservatorName, r.reservationDate.iso, r.phoneNumber, r.status};
}

}  // namespace

// ---- Reservations ------------------------------------------------------------------------------

Result<Reservation> Reservations::Store(service::Tx& tx, int64_t id, const ReserveCommand& c) {
    Reservation r{.id = id,
                  .reservatorName = c.reservatorName,
                  .reservationDate = {c.reservationDate},
                  .phoneNumber = c.phoneNumber,
                  .status = std::string(kReserved)};
    RESERVO_TRY(reservations_.Insert(tx.db(), r));
    RESERVO_TRY(tx.Publish(EventOf<ReservationReserved>(r)));
    return r;
}

Result<Reservation> Reservations::ChangeReservation(service::Tx& tx, int64_t id, const ChangeCommand& c) {
    Reservation r = RESERVO_TRY(reservations_.Load(tx.db(), id));
    if (!RESERVO_TRY(Change(r, c))) return r;
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(tx.Publish(EventOf<ReservationChanged>(r)));
    return r;
}

Result<Reservation> Reservations::CancelReservation(service::Tx& tx, int64_t id) {
    Reservation r = RESERVO_TRY(reservations_.Load(tx.db(), id));
    if (!Cancel(r)) return r;
    RESERVO_TRY(reservations_.Update(tx.db(), r));
    RESERVO_TRY(tx.Publish(EventOf<ReservationCanceled>(r)));
    return r;
}

// ---- VisitBooking ------------------------------------------------------------------------------

VisitBooking::VisitBooking(Reservations& reservations, service::UnitOfWork& uow, service::Dependency& diagnosis,
                           std::chrono::milliseconds abandon_after)
    : reservations_(reservations),
      uow_(uow),
      diagnosis_(diagnosis),
      reserve_(uow.context(), uow,
               {.name = "reserve-visit",
                .abandon_after = abandon_after,
                .compensate = [](const service::SagaStep& step, service::Tx& tx) -> Status {
                    return tx.Publish(ReservationAborted{.reservationId = step.id});
                }}) {}

http::Awaitable<Result<Reservation>> VisitBooking::Reserve(ReserveCommand c) {
    RESERVO_CO_TRY(ValidateReserve(c));
    // An open circuit refuses at once: no pending step, no compensation event.
    if (!diagnosis_.TryAdmit()) co_return Fail(Code::kUnavailable, "circuit to diagnosis is open");
    boost::json::object step;  // built outside the co_await: GCC 12 cannot keep a braced list's arrays
    step["reservationDate"] = c.reservationDate;
    auto opened = co_await reserve_.Begin(std::move(step));
    int64_t id = RESERVO_CO_TRY(std::move(opened));

    auto answer = co_await diagnosis_.Call(OpenRecordRequest(id, c), /*idempotent=*/true);
    if (!answer || answer->status >= 500) {
        // Unknown outcome: the record may have been opened. Abort so diagnosis cancels it.
        (void)co_await reserve_.Abort(id, "diagnosis did not answer");
        co_return Fail(Code::kUnavailable, answer ? "diagnosis answered " + std::to_string(answer->status)
                                                  : "diagnosis unavailable: " + answer.error().message);
    }
    if (answer->status != 200 && answer->status != 201) {
        Error refusal = Refusal(*answer);
        (void)co_await reserve_.Drop(id, refusal.message);
        co_return Fail(refusal);
    }
    int64_t record = RecordId(*answer);
    if (record <= 0) {
        (void)co_await reserve_.Abort(id, "diagnosis answered an unreadable record");
        co_return Fail(Code::kUnavailable, "diagnosis answered an unreadable record");
    }
    if (deadline::Expired()) {
        // Nobody waits for this answer any more: a client told "timed out" must not find it reserved.
        (void)co_await reserve_.Abort(id, "the request's deadline passed");
        co_return Fail(Code::kUnavailable,
                       "the request's deadline passed before the reservation was stored; nothing was reserved");
    }
    auto stored = co_await uow_.Write([&](service::Tx& tx) -> Result<Reservation> {
        // Unavailable when the sweeper aborted the step meanwhile (and the record was canceled).
        RESERVO_TRY(reserve_.Complete(tx, id, "medical record " + std::to_string(record) + " opened"));
        return reservations_.Store(tx, id, c);
    });
    if (stored) co_return stored;
    // Not stored (the store stayed busy, say): cancel the record now rather than when the sweeper
    // finds the step; a step aborted already is left alone.
    (void)co_await reserve_.Abort(id, "not stored: " + stored.error().message);
    co_return Fail(Code::kUnavailable, stored.error().message + "; nothing was reserved");
}

}  // namespace reservo::animal_hospital::booking
