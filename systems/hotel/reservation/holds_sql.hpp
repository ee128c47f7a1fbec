// The Holds port in SQL: one row per reservation with its room, nights and state; an overlap is
// a shared night of an active hold of the same room, found through an index on (room, state).
//
//   db.Migrate(booking::kHoldsSchema);
//   booking::SqlHolds holds;
//   auto taken = holds.Overlapping(db, room_id, {"2030-01-01", "2030-01-03"});
#pragma once

#include "kit/store/database.hpp"
#include "systems/hotel/reservation/application.hpp"

namespace reservo::hotel::booking {

inline constexpr store::Migration kHoldsSchema[] = {
    {1,
     "CREATE TABLE IF NOT EXISTS room_holds (reservation_id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL, "
     "start_date TEXT NOT NULL, end_date TEXT NOT NULL, state TEXT NOT NULL, CHECK (start_date < end_date));"
     "CREATE INDEX IF NOT EXISTS room_holds_by_room ON room_holds (room_id, state, start_date);"},
};

class SqlHolds final : public Holds {
  public:
    Result<std::optional<Hold>> Overlapping(store::Database& db, int64_t room_id, const Stay& stay) override;
    Result<std::optional<Hold>> Of(store::Database& db, int64_t reservation_id) override;
    Status Put(store::Database& db, const Hold& hold) override;
};

}  // namespace reservo::hotel::booking
