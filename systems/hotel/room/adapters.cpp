// Adapters of room: the resources `/roomInfos` and `/roomCharges`, the charge policies, and the
// charge count in SQL.
#include "kit/service/rest.hpp"
#include "kit/service/saga.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/room/application.hpp"
#include "systems/hotel/room/module.hpp"

namespace reservo::hotel {
namespace {

using namespace room;
using store::Sql;

const store::Table<RoomInfo> kRooms(
    {.collection = "roomInfos", .finders = {"roomNo", "roomStatus"}, .unique = {"roomNo"}, .checks = {"price > 0"}});

const store::Table<RoomCharge> kCharges({.collection = "roomCharges",
                                         .finders = {"roomId", "reservationId"},
                                         .indexes = {"roomId,chargeStatus"},
                                         .unique = {"reservationId"}});

class SqlChargeLedger final : public ChargeLedger {
  public:
    Result<int64_t> ActiveCharges(store::Database& db, int64_t room_id) override {
        static constexpr Sql kCount{"count_active_room_charges",
                                    "SELECT COUNT(*) FROM room_charges WHERE room_id = ? AND charge_status = ?"};
        auto row = db.QueryOne(kCount, {room_id, std::string(kCharged)});
        if (!row) return Fail(row.error());
        return row->Int(0);
    }
};

template <class E>
E RoomEvent(const RoomInfo& r) {
    return E{r.id, r.roomNo, r.roomSize, r.amenityInfo.value_or(""), r.price, r.roomStatus};
}

struct RoomService {
    explicit RoomService(service::ServiceContext& ctx)
        : uow(ctx),
          saga(ctx, uow, {.name = "room-charges"}),
          rooms(kRooms, kCharges, ledger,
                [this](service::Tx& tx, const std::string& key, std::string step, std::string detail) {
                    return saga.Record(tx, key, std::move(step), std::move(detail));
                }) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kRooms.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kCharges.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kRooms.shape());
        service::ExposeReads(ctx.router(), ctx.db(), kCharges.shape());
        service::ExposeWrites<RoomInfo>(
            ctx.router(), uow, kRooms,
            {.read_only = {"roomStatus"},
             .prepare = Register,
             .validate = ValidateRoom,
             .created = [](const RoomInfo& r, service::Tx& tx) { return tx.Publish(RoomEvent<RoomRegistered>(r)); },
             .changed = [](const RoomInfo&, const RoomInfo& after,
                           service::Tx& tx) { return tx.Publish(RoomEvent<RoomChanged>(after)); },
             .removing = [this](const RoomInfo& r, service::Tx& tx) -> Status {
                 RESERVO_TRY(rooms.CheckRemoval(tx, r));
                 return tx.Publish(RoomRemoved{r.id, r.roomNo});
             }});
        service::On<ReservationCompleted>(
            uow, [this](const ReservationCompleted& e, service::Tx& tx) { return rooms.ChargeRoom(tx, e); });
        service::On<ReservationCanceled>(
            uow, [this](const ReservationCanceled& e, service::Tx& tx) { return rooms.FreeRoom(tx, e); });
        return Ok();
    }

    service::UnitOfWork uow;
    service::Saga saga;
    SqlChargeLedger ledger;
    Rooms rooms;
};

}  // namespace

service::ServiceModule RoomModule() {
    return service::ServiceModule{
        .system = "hotel",
        .name = "room",
        .wire = service::WireParts<RoomService>(),
    };
}

}  // namespace reservo::hotel
