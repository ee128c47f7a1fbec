// hotel's vocabulary for its end-to-end suites: room numbers, rooms, reservation bodies.
//
//   class FlowE2E : public reservo::e2e::HotelTest {};
//   TEST_F(FlowE2E, Books) {
//       int64_t room = RegisterRoom();
//       EXPECT_EQ(Call("POST", "/reservations", ReservationBody(room, "kim", "2030-01-10", "2030-01-13")).status, 201);
//   }
#pragma once

#include <cstdint>
#include <string>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {

inline constexpr int64_t kRoomPrice = 100'000;

// A room number no other test of this binary uses (at most 20 characters).
inline std::string RoomNo() {
    static int n = 0;
    std::string no = std::to_string(++n);
    no.insert(no.begin(), 'H');  // not "H" + ...: GCC 12's -Wrestrict false positive
    return no;
}

// POST /reservations body.
inline std::string ReservationBody(int64_t room, const std::string& user, const std::string& start,
                                   const std::string& end) {
    return bj::serialize(bj::object{{"roomId", room},
                                    {"userId", user},
                                    {"userName", "Kim"},
                                    {"peopleQty", 2},
                                    {"reservStartDate", start},
                                    {"reservEndDate", end},
                                    {"payMethod", "card"}});
}

class HotelTest : public SystemTest {
  protected:
    // POST /roomInfos (a new room, Empty), then waits until reservation knows it; its id (-1 on failure).
    int64_t RegisterRoom(int64_t price = kRoomPrice, const std::string& size = "Deluxe") {
        bj::object room{{"roomNo", RoomNo()}, {"roomSize", size}, {"amenityInfo", "wifi, bath"}, {"price", price}};
        Reply r = Call("POST", "/roomInfos", bj::serialize(room));
        EXPECT_EQ(r.status, 201) << r.Describe();
        bj::value v = r.Json();
        if (r.status != 201 || !v.is_object()) return -1;
        EXPECT_EQ(AsString(v.as_object()["roomStatus"]), "Empty");
        EXPECT_TRUE(Eventually([&] { return Settled("room", "reservation"); })) << "reservation did not learn the room";
        return AsInt(v.as_object().at("id"));
    }
};

}  // namespace reservo::e2e
