#include "systems/hotel/room/application.hpp"

#include "kit/core/try.hpp"

namespace reservo::hotel::room {

Status Rooms::ChargeRoom(service::Tx& tx, const ReservationCompleted& e) {
    auto prior = RESERVO_TRY(charges_.FindBy(tx.db(), "reservationId", e.reservationId));
    auto charge = Charge(prior, {.reservationId = e.reservationId,
                                 .roomId = e.roomId,
                                 .reservStartDate = e.reservStartDate,
                                 .reservEndDate = e.reservEndDate});
    if (!charge) return Ok();
    RESERVO_TRY(Store(tx, prior, *charge));
    return timeline_(tx, std::to_string(e.reservationId), "room-charged",
                     "room " + std::to_string(e.roomId) + " from " + e.reservStartDate + " to " + e.reservEndDate);
}

Status Rooms::FreeRoom(service::Tx& tx, const ReservationCanceled& e) {
    auto prior = RESERVO_TRY(charges_.FindBy(tx.db(), "reservationId", e.reservationId));
    auto freed = Release(prior, {.reservationId = e.reservationId,
                                 .roomId = e.roomId,
                                 .reservStartDate = e.reservStartDate,
                                 .reservEndDate = e.reservEndDate});
    if (!freed) return Ok();
    RESERVO_TRY(Store(tx, prior, *freed));
    return timeline_(
        tx, std::to_string(e.reservationId), "room-freed",
        "room " + std::to_string(freed->roomId) + " from " + freed->reservStartDate + " to " + freed->reservEndDate);
}

Status Rooms::CheckRemoval(service::Tx& tx, const RoomInfo& room) {
    return CheckRemovable(room.id, RESERVO_TRY(ledger_.ActiveCharges(tx.db(), room.id)));
}

Status Rooms::Store(service::Tx& tx, const std::optional<RoomCharge>& prior, const RoomCharge& next) {
    if (prior) {
        RESERVO_TRY(charges_.Update(tx.db(), next));
    } else {
        RESERVO_TRY(charges_.Insert(tx.db(), next));
    }
    return RefreshStatus(tx, next.roomId);
}

Status Rooms::RefreshStatus(service::Tx& tx, int64_t room_id) {
    auto room = RESERVO_TRY(rooms_.Find(tx.db(), room_id));
    if (!room) return Ok();  // taken off the list meanwhile: the charge is kept as history
    std::string status(StatusFor(RESERVO_TRY(ledger_.ActiveCharges(tx.db(), room_id))));
    if (room->roomStatus == status) return Ok();
    room->roomStatus = std::move(status);
    return rooms_.Update(tx.db(), *room);
}

}  // namespace reservo::hotel::room
