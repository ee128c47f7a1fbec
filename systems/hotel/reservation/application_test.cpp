// Reservation's use cases over a real store and the service's own SQL for held dates: a stay is
// held against overlapping ones (the check-out day stays free), completed once paid, and its
// cancellation goes through the payment's refund exactly once.
#include "systems/hotel/reservation/application.hpp"

#include "systems/hotel/application_test_support.hpp"
#include "systems/hotel/reservation/holds_sql.hpp"

namespace reservo::hotel::booking {
namespace {

const store::Table<Reservation> kReservations({.collection = "reservations", .assigned_ids = true});
const store::Table<KnownRoom> kRooms({.collection = "knownRooms", .assigned_ids = true});

class ReservationsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(db().Migrate(kHoldsSchema));
        ASSERT_TRUE(kReservations.shape().Ensure(db()));
        ASSERT_TRUE(kRooms.shape().Ensure(db()));
        auto tx = Tx();
        ASSERT_TRUE(reservations_.KnowRoom(tx, {.id = 7, .roomNo = "101", .price = 100'000}));
        ASSERT_TRUE(reservations_.KnowRoom(tx, {.id = 8, .roomNo = "102", .price = 50'000}));
    }

    ReserveCommand Stay(int64_t room, std::string start, std::string end) {
        return {.roomId = room, .userId = "0001", .peopleQty = 2, .stay = {start, end}, .payMethod = "card"};
    }
    // HoldStay with a step opener counting its calls (ids 1, 2, ...).
    Result<Pending> Hold(const ReserveCommand& c) {
        auto tx = Tx();
        return reservations_.HoldStay(tx, c, [this](service::Tx&, const boost::json::object& data) -> Result<int64_t> {
            last_step_ = data;
            return ++opened_;
        });
    }
    Result<Reservation> Paid(const ReserveCommand& c, const Pending& p) {
        auto tx = Tx();
        return reservations_.Complete(tx, c, p, {.paymentId = 90 + p.id, .payStatus = "PayCompleted"});
    }
    Reservation Booked(const ReserveCommand& c) {
        auto held = Hold(c);
        EXPECT_TRUE(held) << held.error().message;
        auto r = Paid(c, *held);
        EXPECT_TRUE(r) << r.error().message;
        return *r;
    }

    SqlHolds holds_;
    Reservations reservations_{kReservations, kRooms, holds_, Steps()};
    int64_t opened_ = 0;
    boost::json::object last_step_;
};

TEST_F(ReservationsTest, OverlappingStaysAreRefusedBeforeAStepIsOpened) {
    auto first = Hold(Stay(7, "2030-05-01", "2030-05-04"));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->id, 1);
    EXPECT_EQ(first->quote.amount, 300'000);
    EXPECT_EQ(last_step_.at("amount").as_int64(), 300'000);

    for (auto [start, end] : {std::pair{"2030-05-01", "2030-05-04"},
                              {"2030-05-03", "2030-05-06"},
                              {"2030-04-28", "2030-05-02"},
                              {"2030-05-02", "2030-05-03"},
                              {"2030-04-01", "2030-06-01"}}) {
        auto taken = Hold(Stay(7, start, end));
        ASSERT_FALSE(taken) << start << ".." << end;
        EXPECT_EQ(taken.error().code, Code::kFailedPrecondition);
        EXPECT_EQ(taken.error().message, "room 7 is taken from 2030-05-01 to 2030-05-04");
    }
    EXPECT_EQ(opened_, 1);  // no step for a refused stay

    EXPECT_TRUE(Hold(Stay(7, "2030-05-04", "2030-05-06")));  // check-in on the check-out day
    EXPECT_TRUE(Hold(Stay(7, "2030-04-29", "2030-05-01")));  // check-out on the check-in day
    EXPECT_TRUE(Hold(Stay(8, "2030-05-01", "2030-05-04")));  // another room
}

TEST_F(ReservationsTest, UnknownAndRemovedRoomsAreRefused) {
    auto unknown = Hold(Stay(99, "2030-05-01", "2030-05-02"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Code::kNotFound);
    auto tx = Tx();
    ASSERT_TRUE(reservations_.ForgetRoom(tx, 8, "102"));
    EXPECT_EQ(Hold(Stay(8, "2030-05-01", "2030-05-02")).error().code, Code::kNotFound);
    ASSERT_TRUE(reservations_.ForgetRoom(tx, 98, "998"));  // removed before it was known
    EXPECT_EQ(Hold(Stay(98, "2030-05-01", "2030-05-02")).error().code, Code::kNotFound);
    EXPECT_EQ(opened_, 0);
}

TEST_F(ReservationsTest, ARoomsNewPriceIsUsedForNewStays) {
    auto tx = Tx();
    ASSERT_TRUE(reservations_.KnowRoom(tx, {.id = 7, .roomNo = "101", .price = 120'000}));
    EXPECT_EQ(Hold(Stay(7, "2030-05-01", "2030-05-03")).value().quote.amount, 240'000);
}

TEST_F(ReservationsTest, AReleasedHoldFreesTheDatesOnce) {
    auto held = Hold(Stay(7, "2030-05-01", "2030-05-04"));
    ASSERT_TRUE(held);
    auto tx = Tx();
    ASSERT_TRUE(reservations_.ReleaseHold(tx, held->id));
    ASSERT_TRUE(reservations_.ReleaseHold(tx, held->id));
    ASSERT_TRUE(reservations_.ReleaseHold(tx, 12345));  // never held: nothing to do
    EXPECT_TRUE(Hold(Stay(7, "2030-05-01", "2030-05-04")));
}

TEST_F(ReservationsTest, APaidStayIsStoredBookedAndAnnounced) {
    auto c = Stay(7, "2030-05-01", "2030-05-03");
    Reservation r = Booked(c);
    EXPECT_EQ(r.reservStatus, "Completed");
    EXPECT_EQ(r.amount, 200'000);
    EXPECT_EQ(r.roomNo, "101");
    EXPECT_EQ(kReservations.Load(db(), r.id).value().payStatus, "PayCompleted");
    auto completed = Published<ReservationCompleted>();
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].reservationId, r.id);
    EXPECT_EQ(completed[0].reservStartDate, "2030-05-01");
    EXPECT_EQ(completed[0].reservEndDate, "2030-05-03");
    EXPECT_EQ(completed[0].amount, 200'000);
    EXPECT_EQ(Hold(c).error().code, Code::kFailedPrecondition);  // booked dates stay taken
    auto tx = Tx();
    ASSERT_TRUE(reservations_.ReleaseHold(tx, 0));  // unrelated
    EXPECT_EQ(holds_.Of(db(), r.id).value()->state, HoldState::kBooked);
}

TEST_F(ReservationsTest, TheCancellationIsRequestedOnceAndCompletedByTheRefundOnce) {
    auto c = Stay(7, "2030-05-01", "2030-05-03");
    Reservation r = Booked(c);
    auto tx = Tx();
    auto requested = reservations_.RequestCancellation(tx, r.id);
    ASSERT_TRUE(requested);
    EXPECT_EQ(requested->reservStatus, "CancelRequest");
    ASSERT_TRUE(reservations_.RequestCancellation(tx, r.id));  // repeated
    ASSERT_EQ(Published<ReservationCancelRequested>().size(), 1u);
    EXPECT_EQ(Published<ReservationCancelRequested>()[0].amount, 200'000);
    EXPECT_EQ(Hold(c).error().code, Code::kFailedPrecondition);  // held until the refund

    PayCanceled refunded{90 + r.id, r.id, "0001", 200'000, "card", "PayCanceled"};
    ASSERT_TRUE(reservations_.CompleteCancellation(tx, refunded));
    ASSERT_TRUE(reservations_.CompleteCancellation(tx, refunded));  // redelivered
    Reservation canceled = kReservations.Load(db(), r.id).value();
    EXPECT_EQ(canceled.reservStatus, "CancelCompleted");
    EXPECT_EQ(canceled.payStatus, "PayCanceled");
    auto events = Published<ReservationCanceled>();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].roomId, 7);
    EXPECT_EQ(events[0].reservStartDate, "2030-05-01");
    EXPECT_EQ(holds_.Of(db(), r.id).value()->state, HoldState::kReleased);
    EXPECT_TRUE(Hold(c));  // the dates can be booked again

    auto again = reservations_.RequestCancellation(tx, r.id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->reservStatus, "CancelCompleted");
    EXPECT_EQ(Published<ReservationCancelRequested>().size(), 1u);
    std::string id = std::to_string(r.id);
    EXPECT_EQ(steps_, (std::vector<std::string>{id + ":cancel-requested", id + ":cancel-completed"}));
}

TEST_F(ReservationsTest, ARefundForAReservationNeverMadeChangesNothing) {
    auto tx = Tx();
    EXPECT_TRUE(reservations_.CompleteCancellation(tx, {1, 4242, "0001", 0, "card", "PayVoided"}));
    EXPECT_TRUE(Published<ReservationCanceled>().empty());
    EXPECT_EQ(reservations_.RequestCancellation(tx, 4242).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace reservo::hotel::booking
