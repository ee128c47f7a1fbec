#include "systems/vaccine/mypage/domain.hpp"

#include <boost/json.hpp>

#include "kit/json/json.hpp"

namespace reservo::vaccine::view {

Result<MyPageRow> Project(const boost::json::object& d) {
    MyPageRow row;
    const auto* id = d.if_contains("reservationId");
    if (!id) id = d.if_contains("id");
    if (!id) return Fail(Code::kInvalidArgument, "event without reservationId");
    auto rid = json::ToInt(*id, "reservationId");
    if (!rid) return Fail(rid.error());
    row.reservationId = *rid;
    auto text = [&](std::string_view k) {
        const auto* v = d.if_contains(k);
        return v ? json::ToString(*v, k).value_or("") : std::string();
    };
    if (const auto* u = d.if_contains("userId")) row.userId = json::ToInt(*u, "userId").value_or(0);
    row.reservationStatus = text("reservationStatus");
    row.reservedDate = text("reservedDate");
    row.hospital = text("hospital");
    row.vaccineType = text("vaccineType");
    return row;
}

}  // namespace reservo::vaccine::view
