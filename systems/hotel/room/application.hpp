// Room use cases, each inside one transaction (a Tx from the unit of work): the policies that
// charge a room for a completed reservation's dates and free it when the reservation is canceled,
// and the guard on taking a room off the list. Registering and editing rooms are the resource's
// defaults (adapters.cpp) with this context's rules.
#pragma once

#include "kit/store/table.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/room/domain.hpp"
#include "systems/hotel/timeline.hpp"

namespace reservo::hotel::room {

// Port: how many reservations charge a room now (SQL in adapters).
class ChargeLedger {
  public:
    virtual ~ChargeLedger() = default;
    virtual Result<int64_t> ActiveCharges(store::Database& db, int64_t room_id) = 0;
};

class Rooms final {
  public:
    Rooms(const store::Table<RoomInfo>& rooms, const store::Table<RoomCharge>& charges, ChargeLedger& ledger,
          Timeline timeline)
        : rooms_(rooms), charges_(charges), ledger_(ledger), timeline_(std::move(timeline)) {}

    // The room is charged for the reservation's dates, once per reservation (a replay changes nothing).
    Status ChargeRoom(service::Tx& tx, const ReservationCompleted& completed);
    // The reservation's dates are free again; before its charge arrived, the charge is never made.
    Status FreeRoom(service::Tx& tx, const ReservationCanceled& canceled);
    // FailedPrecondition while reservations charge the room.
    Status CheckRemoval(service::Tx& tx, const RoomInfo& room);

  private:
    Status Store(service::Tx& tx, const std::optional<RoomCharge>& prior, const RoomCharge& next);
    Status RefreshStatus(service::Tx& tx, int64_t room_id);

    const store::Table<RoomInfo>& rooms_;
    const store::Table<RoomCharge>& charges_;
    ChargeLedger& ledger_;
    Timeline timeline_;
};

}  // namespace reservo::hotel::room
