// Room's policies over a real store: a room is charged once per completed reservation, freed
// once per cancellation (also when the cancellation arrives first), and kept while charged.
#include "systems/hotel/room/application.hpp"

#include "systems/hotel/application_test_support.hpp"

namespace reservo::hotel::room {
namespace {

const store::Table<RoomInfo> kRooms({.collection = "roomInfos"});
const store::Table<RoomCharge> kCharges({.collection = "roomCharges", .unique = {"reservationId"}});

// Counts through the repository (the service counts in SQL).
class CountingLedger final : public ChargeLedger {
  public:
    Result<int64_t> ActiveCharges(store::Database& db, int64_t room_id) override {
        auto all = kCharges.Where(db, "roomId", room_id);
        if (!all) return Fail(all.error());
        int64_t n = 0;
        for (const auto& c : *all) n += c.chargeStatus == kCharged;
        return n;
    }
};

class RoomsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kRooms.shape().Ensure(db()));
        ASSERT_TRUE(kCharges.shape().Ensure(db()));
        room_ = kRooms.Insert(db(), {0, "101", "Deluxe", "", 100'000, "Empty"}).value().id;
    }

    ReservationCompleted Completed(int64_t reservation) {
        return {reservation,  reservation,  room_,   "101",  "u1",           "",         2,
                "2030-05-01", "2030-05-03", 200'000, "card", "PayCompleted", "Completed"};
    }
    ReservationCanceled Canceled(int64_t reservation) {
        return {reservation, reservation, room_, "u1", "2030-05-01", "2030-05-03", "PayCanceled", "CancelCompleted"};
    }
    std::string Status() { return kRooms.Load(db(), room_).value().roomStatus; }
    std::vector<RoomCharge> Charges() { return kCharges.Where(db(), "roomId", room_).value(); }

    CountingLedger ledger_;
    Rooms rooms_{kRooms, kCharges, ledger_, Steps()};
    int64_t room_ = 0;
};

TEST_F(RoomsTest, ACompletedReservationChargesTheRoomOnceAndItsCancellationFreesIt) {
    auto tx = Tx();
    ASSERT_TRUE(rooms_.ChargeRoom(tx, Completed(5)));
    ASSERT_TRUE(rooms_.ChargeRoom(tx, Completed(5)));  // redelivered
    EXPECT_EQ(Status(), "Charged");
    ASSERT_EQ(Charges().size(), 1u);
    EXPECT_EQ(Charges()[0].chargeStatus, "Charged");
    EXPECT_EQ(Charges()[0].reservStartDate, "2030-05-01");

    ASSERT_TRUE(rooms_.ChargeRoom(tx, Completed(6)));
    ASSERT_TRUE(rooms_.FreeRoom(tx, Canceled(5)));
    EXPECT_EQ(Status(), "Charged");  // reservation 6 still holds it
    ASSERT_TRUE(rooms_.FreeRoom(tx, Canceled(6)));
    ASSERT_TRUE(rooms_.FreeRoom(tx, Canceled(6)));  // redelivered
    EXPECT_EQ(Status(), "Empty");
    for (const auto& c : Charges()) EXPECT_EQ(c.chargeStatus, "Free");
    EXPECT_EQ(steps_, (std::vector<std::string>{"5:room-charged", "6:room-charged", "5:room-freed", "6:room-freed"}));
}

TEST_F(RoomsTest, ACancellationThatArrivesFirstMeansTheRoomIsNeverCharged) {
    auto tx = Tx();
    ASSERT_TRUE(rooms_.FreeRoom(tx, Canceled(7)));
    ASSERT_TRUE(rooms_.ChargeRoom(tx, Completed(7)));
    EXPECT_EQ(Status(), "Empty");
    ASSERT_EQ(Charges().size(), 1u);
    EXPECT_EQ(Charges()[0].chargeStatus, "Free");
}

TEST_F(RoomsTest, ARoomIsKeptWhileReservationsChargeIt) {
    auto tx = Tx();
    ASSERT_TRUE(rooms_.ChargeRoom(tx, Completed(8)));
    auto held = rooms_.CheckRemoval(tx, kRooms.Load(db(), room_).value());
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().code, Code::kFailedPrecondition);
    ASSERT_TRUE(rooms_.FreeRoom(tx, Canceled(8)));
    EXPECT_TRUE(rooms_.CheckRemoval(tx, kRooms.Load(db(), room_).value()));
}

TEST_F(RoomsTest, AChargeForARoomTakenOffTheListIsKeptAsHistory) {
    ASSERT_TRUE(kRooms.Delete(db(), room_));
    auto tx = Tx();
    EXPECT_TRUE(rooms_.ChargeRoom(tx, Completed(9)));
    EXPECT_EQ(Charges().size(), 1u);
}

}  // namespace
}  // namespace reservo::hotel::room
