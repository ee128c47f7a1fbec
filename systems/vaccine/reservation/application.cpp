#include "systems/vaccine/reservation/application.hpp"

#include <boost/json.hpp>

#include "kit/core/clock.hpp"
#include "kit/core/deadline.hpp"
#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"

namespace reservo::vaccine::booking {
namespace {

using store::Sql;
namespace bj = boost::json;

constexpr Sql kAllocate{"allocate_reservation_id",
                        "INSERT INTO pending_reservations (created_ms) VALUES (?) RETURNING id"};
constexpr Sql kDropPending{"drop_pending_reservation", "DELETE FROM pending_reservations WHERE id = ?"};
constexpr Sql kAbandoned{"find_abandoned_reservations",
                         "SELECT id FROM pending_reservations WHERE created_ms < ? ORDER BY id LIMIT 100"};
constexpr Sql kInsert{"insert_reservation",
                      "INSERT INTO reservations (id, user_id, vaccine_id, hospital, reserved_date, vaccine_type, "
                      "reservation_status) VALUES (?, ?, ?, ?, ?, ?, ?)"};
constexpr Sql kLoad{"load_reservation",
                    "SELECT id, user_id, vaccine_id, hospital, reserved_date, vaccine_type, reservation_status "
                    "FROM reservations WHERE id = ?"};
constexpr Sql kSetStatus{"set_reservation_status", "UPDATE reservations SET reservation_status = ? WHERE id = ?"};

Result<Reservation> LoadIn(store::Database& db, int64_t id) {
    auto rows = db.Query(kLoad, {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Code::kNotFound, "reservations/" + std::to_string(id) + " does not exist");
    const auto& r = rows->front();
    return Reservation{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)};
}

std::string Escape(std::string_view s) {
    // Query values are percent-encoded: hospitals and types may hold spaces or Korean text.
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace

messaging::CloudEvent Reservations::Event(std::string type, const Reservation& r) const {
    return messaging::CloudEvent::New(source_, std::move(type), std::to_string(r.id),
                                      {{"id", r.id},
                                       {"reservationId", r.id},
                                       {"userId", r.userId},
                                       {"vaccineId", r.vaccineId},
                                       {"hospital", r.hospital},
                                       {"reservedDate", r.reservedDate},
                                       {"vaccineType", r.vaccineType},
                                       {"reservationStatus", r.reservationStatus}});
}

Status Reservations::AbortPending(int64_t id, std::optional<int64_t> vaccineId, bool publish) {
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    auto dropped = db_.Execute(kDropPending, {id});
    if (!dropped) return Fail(dropped.error());
    if (publish && *dropped > 0) {
        bj::object data{{"reservationId", id}};
        if (vaccineId) data["vaccineId"] = *vaccineId;
        auto st = publish_(messaging::CloudEvent::New(source_, "ReservationAborted", std::to_string(id), data));
        if (!st) return st;
    }
    return tx->Commit();
}

http::Awaitable<Result<Reservation>> Reservations::ReserveVaccine(ReserveCommand cmd) {
    if (auto st = ValidateUser(cmd.userId); !st) co_return Fail(st.error());
    // An open circuit refuses at once: no pending id, no compensation event, no write at all.
    if (!vaccine_mgmt_.TryAdmit()) co_return Fail(Code::kUnavailable, "circuit to vaccine-mgmt is open");
    int64_t id = 0;
    {
        auto tx = db_.Begin();
        if (!tx) co_return Fail(tx.error());
        auto row = db_.QueryOne(kAllocate, {NowUnixMillis()});
        if (!row) co_return Fail(row.error());
        id = row->Int(0);
        if (auto st = tx->Commit(); !st) co_return Fail(st.error());
    }

    http::Request take;
    take.method = "PUT";
    take.target = "/vaccineMgmts/updateVaccine?reservationId=" + std::to_string(id);
    if (cmd.vaccineId) {
        take.target += "&vaccineId=" + std::to_string(*cmd.vaccineId);
    } else {
        take.target += "&hospital=" + Escape(cmd.hospital) + "&availableDate=" + Escape(cmd.reservedDate) +
                       "&vaccineType=" + Escape(cmd.vaccineType);
    }
    auto answer = co_await vaccine_mgmt_.Call(std::move(take), /*idempotent=*/true);

    if (!answer || answer->status >= 500) {
        // Unknown outcome: the dose may have been taken. Abort so vaccine-mgmt gives it back.
        if (auto st = AbortPending(id, cmd.vaccineId, true); !st) {
            log::Warn("abort of pending reservation deferred to the sweeper", {{"id", std::to_string(id)}});
        }
        co_return Fail(Code::kUnavailable,
                       answer ? "vaccine-mgmt answered " + std::to_string(answer->status) : answer.error().message);
    }
    if (answer->status != 200) {
        (void)AbortPending(id, cmd.vaccineId, false);  // refused: nothing was taken
        auto body = json::ParseObject(answer->body);
        std::string detail = "vaccine-mgmt refused the dose";
        if (body && body->contains("detail") && (*body)["detail"].is_string()) detail = (*body)["detail"].as_string();
        Code code = http::CodeOfHttpStatus(answer->status);
        co_return Fail(code == Code::kInvalidArgument ? Code::kInvalidArgument
                       : code == Code::kNotFound      ? Code::kNotFound
                                                      : Code::kFailedPrecondition,
                       detail);
    }

    auto lot = json::ParseObject(answer->body);
    if (!lot) {
        (void)AbortPending(id, cmd.vaccineId, true);
        co_return Fail(Code::kUnavailable, "vaccine-mgmt answered an unreadable lot");
    }
    Reservation r;
    r.id = id;
    r.userId = cmd.userId;
    r.vaccineId = json::ToInt((*lot)["id"], "id").value_or(0);
    r.hospital = json::ToString((*lot)["hospital"], "hospital").value_or("");
    r.reservedDate = json::ToString((*lot)["availableDate"], "availableDate").value_or("");
    r.vaccineType = json::ToString((*lot)["vaccineType"], "vaccineType").value_or("");
    r.reservationStatus = std::string(kReserved);

    if (deadline::Expired()) {
        // Nobody waits for this answer any more: a client told "timed out" must not find it booked.
        if (auto st = AbortPending(id, cmd.vaccineId, true); !st) {
            log::Warn("abort of pending reservation deferred to the sweeper", {{"id", std::to_string(id)}});
        }
        co_return Fail(Code::kUnavailable,
                       "the request's deadline passed before the reservation was stored; "
                       "nothing was reserved");
    }
    auto tx = db_.Begin();
    if (!tx) co_return Fail(tx.error());  // the sweeper aborts the pending id later
    auto dropped = db_.Execute(kDropPending, {id});
    if (!dropped) co_return Fail(dropped.error());
    if (*dropped == 0)
        co_return Fail(Code::kUnavailable, "reservation " + std::to_string(id) + " was aborted meanwhile");
    auto ins = db_.Execute(
        kInsert, {r.id, r.userId, r.vaccineId, r.hospital, r.reservedDate, r.vaccineType, r.reservationStatus});
    if (!ins) co_return Fail(ins.error());
    if (auto st = publish_(Event("VaccineReserved", r)); !st) co_return Fail(st.error());
    if (auto st = tx->Commit(); !st) co_return Fail(st.error());
    co_return r;
}

Result<Reservation> Reservations::CancelReservation(int64_t id) {
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    auto r = LoadIn(db_, id);
    if (!r) return Fail(r.error());
    auto outcome = Cancel(*r);
    if (!outcome) return Fail(outcome.error());
    if (*outcome == CancelOutcome::kAlreadyCancelled) return *r;
    if (auto u = db_.Execute(kSetStatus, {r->reservationStatus, id}); !u) return Fail(u.error());
    if (auto st = publish_(Event("ReservationCancelled", *r)); !st) return Fail(st.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return *r;
}

Result<Reservation> Reservations::Load(int64_t id) { return LoadIn(db_, id); }

Result<int> Reservations::SweepAbandoned(int64_t age_ms) {
    auto rows = db_.Query(kAbandoned, {NowUnixMillis() - age_ms});
    if (!rows) return Fail(rows.error());
    int n = 0;
    for (const auto& row : *rows) {
        if (AbortPending(row.Int(0), std::nullopt, true)) ++n;
    }
    return n;
}

}  // namespace reservo::vaccine::booking
