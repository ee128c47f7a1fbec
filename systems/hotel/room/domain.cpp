#include "systems/hotel/room/domain.hpp"

#include "kit/json/json.hpp"

namespace reservo::hotel::room {

Status Register(RoomInfo& room) {
    room.roomStatus = std::string(kEmpty);
    return Ok();
}

Status ValidateRoom(const RoomInfo& room) {
    if (auto st = json::ValidateName("roomNo", room.roomNo, 20); !st) return st;
    if (auto st = json::ValidateName("roomSize", room.roomSize, 50); !st) return st;
    if (room.amenityInfo && json::CharCount(*room.amenityInfo) > 500)
        return Fail(Code::kInvalidArgument, "amenityInfo: at most 500 characters");
    if (room.price <= 0) return Fail(Code::kInvalidArgument, "price: must be positive");
    if (room.price > kMaxPrice) return Fail(Code::kInvalidArgument, "price: at most " + std::to_string(kMaxPrice));
    return Ok();
}

std::optional<RoomCharge> Charge(const std::optional<RoomCharge>& prior, RoomCharge wanted) {
    if (prior) return std::nullopt;
    wanted.chargeStatus = std::string(kCharged);
    return wanted;
}

std::optional<RoomCharge> Release(const std::optional<RoomCharge>& prior, RoomCharge canceled) {
    if (prior && prior->chargeStatus == kFree) return std::nullopt;
    RoomCharge freed = prior ? *prior : std::move(canceled);
    freed.chargeStatus = std::string(kFree);
    return freed;
}

std::string_view StatusFor(int64_t active_charges) { return active_charges > 0 ? kCharged : kEmpty; }

Status CheckRemovable(int64_t room_id, int64_t active_charges) {
    if (active_charges == 0) return Ok();
    return Fail(Code::kFailedPrecondition, "room " + std::to_string(room_id) + " is charged by " +
                                               std::to_string(active_charges) + " reservation(s); cancel them first");
}

}  // namespace reservo::hotel::room
