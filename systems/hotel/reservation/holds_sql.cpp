#include "systems/hotel/reservation/holds_sql.hpp"

namespace reservo::hotel::booking {
namespace {

using store::Sql;

Result<std::optional<Hold>> First(const Result<std::vector<store::Row>>& rows) {
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<Hold>();
    const store::Row& r = rows->front();
    return std::optional<Hold>(Hold{.reservationId = r.Int(0),
                                    .roomId = r.Int(1),
                                    .stay = {r.Text(2), r.Text(3)},
                                    .state = ParseHoldState(r.Text(4)).value_or(HoldState::kHeld)});
}

}  // namespace

Result<std::optional<Hold>> SqlHolds::Overlapping(store::Database& db, int64_t room_id, const Stay& stay) {
    // Half-open ranges: [a, b) and [c, d) share a night when a < d and c < b.
    static constexpr Sql kOverlap{"find_overlapping_hold",
                                  "SELECT reservation_id, room_id, start_date, end_date, state FROM room_holds "
                                  "WHERE room_id = ? AND state IN (?, ?) AND start_date < ? AND ? < end_date "
                                  "ORDER BY start_date LIMIT 1"};
    return First(db.Query(kOverlap, {room_id, std::string(HoldStateName(HoldState::kHeld)),
                                     std::string(HoldStateName(HoldState::kBooked)), stay.end, stay.start}));
}

Result<std::optional<Hold>> SqlHolds::Of(store::Database& db, int64_t reservation_id) {
    static constexpr Sql kFind{"find_hold",
                               "SELECT reservation_id, room_id, start_date, end_date, state FROM room_holds "
                               "WHERE reservation_id = ?"};
    return First(db.Query(kFind, {reservation_id}));
}

Status SqlHolds::Put(store::Database& db, const Hold& h) {
    static constexpr Sql kPut{
        "put_hold",
        "INSERT INTO room_holds (reservation_id, room_id, start_date, end_date, state) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (reservation_id) DO UPDATE SET state = excluded.state"};
    auto r =
        db.Execute(kPut, {h.reservationId, h.roomId, h.stay.start, h.stay.end, std::string(HoldStateName(h.state))});
    return r ? Ok() : Fail(r.error());
}

}  // namespace reservo::hotel::booking
