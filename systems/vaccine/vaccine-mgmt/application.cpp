#include "systems/vaccine/vaccine-mgmt/application.hpp"

#include "kit/core/clock.hpp"
#include "kit/json/json.hpp"

namespace reservo::vaccine::mgmt {
namespace {

using store::Sql;

constexpr Sql kInsertLot{"insert_lot",
                         "INSERT INTO vaccine_mgmts (vaccine_type, hospital, available_date, qty, vaccine_status) "
                         "VALUES (?, ?, ?, ?, ?) RETURNING id"};
constexpr Sql kLoadLot{"load_lot",
                       "SELECT id, vaccine_type, hospital, available_date, qty, vaccine_status FROM vaccine_mgmts "
                       "WHERE id = ?"};
constexpr Sql kFindAvailable{"find_available_lot",
                             "SELECT id, vaccine_type, hospital, available_date, qty, vaccine_status FROM "
                             "vaccine_mgmts WHERE hospital = ? AND available_date = ? AND vaccine_type = ? AND qty > 0 "
                             "ORDER BY id LIMIT 1"};
constexpr Sql kTakeDose{"take_dose", "UPDATE vaccine_mgmts SET qty = qty - 1 WHERE id = ? AND qty > 0"};
constexpr Sql kReturnDose{"return_dose", "UPDATE vaccine_mgmts SET qty = qty + 1 WHERE id = ?"};
constexpr Sql kUpdateLot{"update_lot",
                         "UPDATE vaccine_mgmts SET vaccine_type = ?, hospital = ?, available_date = ?, qty = ? "
                         "WHERE id = ?"};
constexpr Sql kDeleteLot{"delete_lot", "DELETE FROM vaccine_mgmts WHERE id = ?"};
constexpr Sql kCountTaken{"count_doses_taken_from_lot",
                          "SELECT COUNT(*) FROM dose_takings WHERE vaccine_id = ? AND state = ?"};
constexpr Sql kFindTaking{"find_dose_taking", "SELECT vaccine_id, state FROM dose_takings WHERE reservation_id = ?"};
constexpr Sql kInsertTaking{"insert_dose_taking",
                            "INSERT INTO dose_takings (reservation_id, vaccine_id, state, updated_at) "
                            "VALUES (?, ?, ?, ?)"};
constexpr Sql kSetTaking{"set_dose_taking_state",
                         "UPDATE dose_takings SET state = ?, updated_at = ? WHERE reservation_id = ?"};

VaccineLot FromRow(const store::Row& r) {
    return VaccineLot{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)};
}

}  // namespace

Result<VaccineLot> VaccineLots::Load(store::Database& db, int64_t id) {
    auto rows = db.Query(kLoadLot, {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Code::kNotFound, "vaccineMgmts/" + std::to_string(id) + " does not exist");
    return FromRow(rows->front());
}

Result<VaccineLot> VaccineLots::RegisterVaccine(VaccineLot lot) {
    lot.vaccineStatus = "registered";
    if (auto st = ValidateLot(lot); !st) return Fail(st.error());
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    auto row = db_.QueryOne(kInsertLot, {lot.vaccineType, lot.hospital, lot.availableDate, lot.qty, lot.vaccineStatus});
    if (!row) return Fail(row.error());
    lot.id = row->Int(0);
    auto event = messaging::CloudEvent::New(source_, "VaccineRegistered", std::to_string(lot.id),
                                            {{"id", lot.id},
                                             {"vaccineType", lot.vaccineType},
                                             {"hospital", lot.hospital},
                                             {"availableDate", lot.availableDate},
                                             {"qty", lot.qty},
                                             {"vaccineStatus", lot.vaccineStatus}});
    if (auto st = publish_(event); !st) return Fail(st.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return lot;
}

Result<std::optional<VaccineLot>> VaccineLots::FindAvailable(const DoseRequest& request) {
    auto rows = db_.Query(kFindAvailable, {request.hospital, request.availableDate, request.vaccineType});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<VaccineLot>();
    return std::optional<VaccineLot>(FromRow(rows->front()));
}

Result<VaccineLot> VaccineLots::TakeDose(const DoseRequest& request) {
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    if (!request.reservationId.empty()) {
        auto prior = db_.Query(kFindTaking, {request.reservationId});
        if (!prior) return Fail(prior.error());
        if (!prior->empty()) {
            auto state = ParseDoseState(prior->front().Text(1)).value_or(DoseState::kVoided);
            if (auto st = CheckRepeatTake(state); !st) return Fail(st.error());
            auto taken_from = Load(db_, prior->front().Int(0));
            if (!taken_from) return Fail(taken_from.error());
            if (auto st = CheckSameLot(request, *taken_from); !st) return Fail(st.error());
            return taken_from;  // the same dose, not another one
        }
    }
    Result<VaccineLot> lot = Fail(Code::kInternal, "unset");
    if (request.vaccineId) {
        lot = Load(db_, *request.vaccineId);
    } else {
        auto found = FindAvailable(request);
        if (!found) return Fail(found.error());
        if (!*found) {
            return Fail(Code::kFailedPrecondition, "no " + request.vaccineType + " doses left at " + request.hospital +
                                                       " on " + request.availableDate);
        }
        lot = **found;
    }
    if (!lot) return Fail(lot.error());
    auto taken = TakeOne(*lot);
    if (!taken) return Fail(taken.error());
    auto changed = db_.Execute(kTakeDose, {taken->id});
    if (!changed) return Fail(changed.error());
    if (*changed == 0)
        return Fail(Code::kFailedPrecondition, "no doses left in vaccine lot " + std::to_string(lot->id));
    if (!request.reservationId.empty()) {
        auto ins = db_.Execute(kInsertTaking, {request.reservationId, taken->id,
                                               std::string(DoseStateName(DoseState::kTaken)), NowIso8601()});
        if (!ins) return Fail(ins.error());
    }
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return *taken;
}

Status VaccineLots::ReleaseDose(store::Database& db, const std::string& reservationId) {
    auto prior = db.Query(kFindTaking, {reservationId});
    if (!prior) return Fail(prior.error());
    if (prior->empty()) {
        // The release overtook the take (or the take never happened): void it so a late take fails.
        auto ins = db.Execute(
            kInsertTaking, {reservationId, int64_t{0}, std::string(DoseStateName(DoseState::kVoided)), NowIso8601()});
        return ins ? Ok() : Fail(ins.error());
    }
    if (ParseDoseState(prior->front().Text(1)) != DoseState::kTaken) return Ok();  // given back already
    if (auto r = db.Execute(kReturnDose, {prior->front().Int(0)}); !r) return Fail(r.error());
    auto set = db.Execute(kSetTaking, {std::string(DoseStateName(DoseState::kReturned)), NowIso8601(), reservationId});
    return set ? Ok() : Fail(set.error());
}

Result<VaccineLot> VaccineLots::Update(int64_t id, const std::function<Status(VaccineLot&)>& change) {
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    auto lot = Load(db_, id);
    if (!lot) return Fail(lot.error());
    if (auto st = change(*lot); !st) return Fail(st.error());
    if (auto st = ValidateLot(*lot); !st) return Fail(st.error());
    auto r = db_.Execute(kUpdateLot, {lot->vaccineType, lot->hospital, lot->availableDate, lot->qty, id});
    if (!r) return Fail(r.error());
    if (auto st = tx->Commit(); !st) return Fail(st.error());
    return *lot;
}

Status VaccineLots::Remove(int64_t id) {
    auto tx = db_.Begin();
    if (!tx) return Fail(tx.error());
    auto taken = db_.QueryOne(kCountTaken, {id, std::string(DoseStateName(DoseState::kTaken))});
    if (!taken) return Fail(taken.error());
    if (auto st = CheckRemovable(id, taken->Int(0)); !st) return st;
    auto r = db_.Execute(kDeleteLot, {id});
    if (!r) return Fail(r.error());
    if (*r == 0) return Fail(Code::kNotFound, "vaccineMgmts/" + std::to_string(id) + " does not exist");
    return tx->Commit();
}

}  // namespace reservo::vaccine::mgmt
