// Domain rules of system `hotel`, without I/O: stays and their overlap (the check-out day is free
// for the next check-in), nights and amounts, the cancellation's states, rooms and their charges,
// and payments made once per reservation.
#include "systems/hotel/payment/domain.hpp"

#include <gtest/gtest.h>

#include "systems/hotel/reservation-view/domain.hpp"
#include "systems/hotel/reservation/domain.hpp"
#include "systems/hotel/room/domain.hpp"

namespace reservo::hotel {
namespace {

using booking::Stay;

// ---- reservation: stays, nights, amounts ---------------------------------------------------------

TEST(StayTest, TheCheckOutDayIsFreeForTheNextCheckIn) {
    Stay first{"2030-05-01", "2030-05-03"};
    EXPECT_FALSE(booking::Overlap(first, {"2030-05-03", "2030-05-05"}));  // arrives the day the first leaves
    EXPECT_FALSE(booking::Overlap({"2030-05-03", "2030-05-05"}, first));
    EXPECT_FALSE(booking::Overlap(first, {"2030-04-28", "2030-05-01"}));  // leaves the day the first arrives
}

TEST(StayTest, StaysSharingANightOverlap) {
    Stay first{"2030-05-01", "2030-05-04"};
    EXPECT_TRUE(booking::Overlap(first, first));
    EXPECT_TRUE(booking::Overlap(first, {"2030-05-03", "2030-05-06"}));                         // the last night
    EXPECT_TRUE(booking::Overlap(first, {"2030-04-28", "2030-05-02"}));                         // the first night
    EXPECT_TRUE(booking::Overlap(first, {"2030-05-02", "2030-05-03"}));                         // inside
    EXPECT_TRUE(booking::Overlap(first, {"2030-04-01", "2030-06-01"}));                         // around
    EXPECT_TRUE(booking::Overlap({"2030-12-31", "2031-01-02"}, {"2031-01-01", "2031-01-05"}));  // across a year
}

TEST(StayTest, NightsCountCalendarDays) {
    EXPECT_EQ(booking::Nights({"2030-05-01", "2030-05-02"}).value(), 1);
    EXPECT_EQ(booking::Nights({"2021-11-01", "2021-11-03"}).value(), 2);    // the seed's stay
    EXPECT_EQ(booking::Nights({"2028-02-28", "2028-03-01"}).value(), 2);    // a leap year's 29 February
    EXPECT_EQ(booking::Nights({"2030-02-28", "2030-03-01"}).value(), 1);    // no 29 February
    EXPECT_EQ(booking::Nights({"2030-12-30", "2031-01-02"}).value(), 3);    // across a year
    EXPECT_EQ(booking::Nights({"2030-01-01", "2030-12-31"}).value(), 364);  //
    EXPECT_EQ(booking::Nights({"2030-01-01", "2031-01-01"}).value(), booking::kMaxNights);
}

TEST(StayTest, AStayEndsAfterItStartsAndIsNotEndless) {
    for (Stay bad : {Stay{"2030-05-03", "2030-05-03"}, Stay{"2030-05-03", "2030-05-01"}}) {
        auto nights = booking::Nights(bad);
        ASSERT_FALSE(nights) << bad.start << ".." << bad.end;
        EXPECT_EQ(nights.error().code, Code::kInvalidArgument);
        EXPECT_EQ(nights.error().message, "reservEndDate: must be after reservStartDate");
    }
    auto endless = booking::Nights({"2030-01-01", "2031-01-02"});
    ASSERT_FALSE(endless);
    EXPECT_EQ(endless.error().message, "a stay is at most 365 nights");
    EXPECT_EQ(booking::Nights({"2030-02-30", "2030-03-02"}).error().code, Code::kInvalidArgument);
    EXPECT_EQ(booking::Nights({"someday", "2030-03-02"}).error().message,
              "reservStartDate: expected a date YYYY-MM-DD");
}

booking::ReserveCommand Command() {
    return {.roomId = 7,
            .userId = "0001",
            .userName = "YANG",
            .peopleQty = 3,
            .stay = {"2021-11-01", "2021-11-03"},
            .payMethod = "card"};
}

TEST(ReserveTest, TheAmountIsTheRoomsPriceTimesTheNights) {
    booking::KnownRoom room{.id = 7, .roomNo = "101", .price = 100'000};
    auto quote = booking::QuoteStay(Command(), room);
    ASSERT_TRUE(quote) << quote.error().message;
    EXPECT_EQ(quote->roomNo, "101");
    EXPECT_EQ(quote->nights, 2);
    EXPECT_EQ(quote->amount, 200'000);

    auto cmd = Command();
    cmd.stay = {"2030-01-01", "2031-01-01"};
    room.price = 1'000'000'000;  // the highest price, the longest stay: still an exact amount
    EXPECT_EQ(booking::QuoteStay(cmd, room).value().amount, 365'000'000'000);
    EXPECT_LE(365'000'000'000, pay::kMaxAmount);
}

TEST(ReserveTest, UnknownOrRemovedRoomsAreNotFound) {
    auto unknown = booking::QuoteStay(Command(), std::nullopt);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Code::kNotFound);
    EXPECT_EQ(unknown.error().message, "room 7 does not exist");
    auto removed = booking::QuoteStay(Command(), booking::KnownRoom{.id = 7, .price = 1, .removed = true});
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, Code::kNotFound);
}

TEST(ReserveTest, RequestsAreCheckedFieldByField) {
    EXPECT_TRUE(booking::ValidateReserve(Command()));
    auto expect_invalid = [](booking::ReserveCommand cmd, const std::string& message) {
        auto st = booking::ValidateReserve(cmd);
        ASSERT_FALSE(st) << message;
        EXPECT_EQ(st.error().code, Code::kInvalidArgument);
        EXPECT_EQ(st.error().message, message);
    };
    auto cmd = Command();
    cmd.roomId = 0;
    expect_invalid(cmd, "roomId: must be a positive number");
    cmd = Command();
    cmd.userId = " ";
    expect_invalid(cmd, "userId: must not be blank");
    cmd = Command();
    cmd.peopleQty = 0;
    expect_invalid(cmd, "peopleQty: 1 to 100");
    cmd.peopleQty = 101;
    expect_invalid(cmd, "peopleQty: 1 to 100");
    cmd = Command();
    cmd.payMethod = "";
    expect_invalid(cmd, "payMethod: 1 to 50 characters");
    cmd = Command();
    cmd.stay = {"2021-11-03", "2021-11-01"};
    expect_invalid(cmd, "reservEndDate: must be after reservStartDate");
    cmd = Command();
    cmd.userName = std::string(101, 'x');
    expect_invalid(cmd, "userName: at most 100 characters");
    cmd.userName = "";
    EXPECT_TRUE(booking::ValidateReserve(cmd));  // a name is optional
}

TEST(HoldTest, OnlyAnActiveOverlappingHoldRefusesTheDates) {
    Stay wanted{"2030-05-01", "2030-05-03"};
    EXPECT_TRUE(booking::CheckFree(7, wanted, std::nullopt));
    booking::Hold other{.reservationId = 1, .roomId = 7, .stay = {"2030-05-02", "2030-05-04"}};
    auto taken = booking::CheckFree(7, wanted, other);
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(taken.error().message, "room 7 is taken from 2030-05-02 to 2030-05-04");
    other.state = booking::HoldState::kBooked;
    EXPECT_FALSE(booking::CheckFree(7, wanted, other));
    other.state = booking::HoldState::kReleased;
    EXPECT_TRUE(booking::CheckFree(7, wanted, other));
    EXPECT_TRUE(booking::CheckFree(7, wanted, booking::Hold{.stay = {"2030-05-03", "2030-05-04"}}));
}

TEST(HoldTest, StatesHaveStableNames) {
    for (auto s : {booking::HoldState::kHeld, booking::HoldState::kBooked, booking::HoldState::kReleased}) {
        EXPECT_EQ(booking::ParseHoldState(booking::HoldStateName(s)), s);
    }
    EXPECT_FALSE(booking::ParseHoldState("lost"));
}

// ---- reservation: the cancellation's states ----------------------------------------------------

TEST(CancelTest, OnlyCancelRequestIsACommand) {
    EXPECT_TRUE(booking::IsCancelRequest("CancelRequest", "Completed").value());
    EXPECT_TRUE(booking::IsCancelRequest("CancelRequest", "CancelRequest").value());  // the use case repeats nothing
    EXPECT_FALSE(booking::IsCancelRequest("Completed", "Completed").value());
    EXPECT_FALSE(booking::IsCancelRequest("CancelCompleted", "CancelCompleted").value());
    EXPECT_EQ(booking::IsCancelRequest("Completed", "CancelRequest").error().code, Code::kFailedPrecondition);
    EXPECT_EQ(booking::IsCancelRequest("CancelCompleted", "Completed").error().code, Code::kFailedPrecondition);
    auto unknown = booking::IsCancelRequest("Approved", "Completed");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Code::kInvalidArgument);
    EXPECT_EQ(unknown.error().message, "reservStatus: only \"CancelRequest\" can be requested");
}

TEST(CancelTest, ACancellationIsRequestedOnceAndCompletedOnce) {
    booking::Reservation r{.id = 1, .payStatus = "PayCompleted", .reservStatus = "Completed"};
    EXPECT_TRUE(booking::RequestCancel(r));
    EXPECT_EQ(r.reservStatus, "CancelRequest");
    EXPECT_FALSE(booking::RequestCancel(r));
    EXPECT_TRUE(booking::CompleteCancel(r, "PayCanceled"));
    EXPECT_EQ(r.reservStatus, "CancelCompleted");
    EXPECT_EQ(r.payStatus, "PayCanceled");
    EXPECT_FALSE(booking::CompleteCancel(r, "PayCanceled"));
    EXPECT_FALSE(booking::RequestCancel(r));
    EXPECT_EQ(r.reservStatus, "CancelCompleted");
}

// ---- room ---------------------------------------------------------------------------------------

TEST(RoomTest, RoomsStartEmptyAndNeedANumberASizeAndAPrice) {
    room::RoomInfo r{0, "101", "Deluxe", "wifi, bath", 100'000, "Charged"};
    ASSERT_TRUE(room::Register(r));
    EXPECT_EQ(r.roomStatus, "Empty");
    EXPECT_TRUE(room::ValidateRoom(r));
    auto invalid = [](room::RoomInfo bad) { return room::ValidateRoom(bad).error().message; };
    EXPECT_EQ(invalid({0, "", "Deluxe", "", 1, ""}), "roomNo: 1 to 20 characters");
    EXPECT_EQ(invalid({0, " ", "Deluxe", "", 1, ""}), "roomNo: must not be blank");
    EXPECT_EQ(invalid({0, "101", "", "", 1, ""}), "roomSize: 1 to 50 characters");
    EXPECT_EQ(invalid({0, "101", "Deluxe", std::string(501, 'a'), 1, ""}), "amenityInfo: at most 500 characters");
    EXPECT_EQ(invalid({0, "101", "Deluxe", "", 0, ""}), "price: must be positive");
    EXPECT_EQ(invalid({0, "101", "Deluxe", "", -5, ""}), "price: must be positive");
    EXPECT_EQ(invalid({0, "101", "Deluxe", "", room::kMaxPrice + 1, ""}), "price: at most 1000000000");
    EXPECT_TRUE(room::ValidateRoom({0, "101", "Deluxe", "", room::kMaxPrice, ""}));
}

TEST(RoomTest, AChargeIsMadeOnceAndNeverAfterItsCancellation) {
    room::RoomCharge wanted{
        .reservationId = 5, .roomId = 7, .reservStartDate = "2030-05-01", .reservEndDate = "2030-05-03"};
    auto charged = room::Charge(std::nullopt, wanted);
    ASSERT_TRUE(charged);
    EXPECT_EQ(charged->chargeStatus, "Charged");
    EXPECT_FALSE(room::Charge(charged, wanted));  // a replay

    auto freed = room::Release(charged, wanted);
    ASSERT_TRUE(freed);
    EXPECT_EQ(freed->chargeStatus, "Free");
    EXPECT_FALSE(room::Release(freed, wanted));  // freed once
    EXPECT_FALSE(room::Charge(freed, wanted));   // a late completion charges nothing

    auto early = room::Release(std::nullopt, wanted);  // the cancellation overtook the charge
    ASSERT_TRUE(early);
    EXPECT_EQ(early->chargeStatus, "Free");
    EXPECT_FALSE(room::Charge(early, wanted));
}

TEST(RoomTest, ARoomIsChargedWhileReservationsHoldItAndOnlyThenKept) {
    EXPECT_EQ(room::StatusFor(0), "Empty");
    EXPECT_EQ(room::StatusFor(2), "Charged");
    EXPECT_TRUE(room::CheckRemovable(7, 0));
    auto held = room::CheckRemovable(7, 2);
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(held.error().message, "room 7 is charged by 2 reservation(s); cancel them first");
}

// ---- payment ------------------------------------------------------------------------------------

pay::PayRequest Request() { return {.reservationId = 5, .userId = "0001", .amount = 200'000, .payMethod = "card"}; }

TEST(PaymentTest, PaymentsNeedAReservationAPayerAPositiveAmountAndAMethod) {
    EXPECT_TRUE(pay::ValidatePayRequest(Request()));
    auto invalid = [](pay::PayRequest r) { return pay::ValidatePayRequest(r).error().message; };
    auto r = Request();
    r.reservationId = 0;
    EXPECT_EQ(invalid(r), "reservationId: must be a positive number");
    r = Request();
    r.userId = "";
    EXPECT_EQ(invalid(r), "userId: 1 to 100 characters");
    r = Request();
    r.amount = 0;
    EXPECT_EQ(invalid(r), "amount: must be positive");
    r.amount = pay::kMaxAmount + 1;
    EXPECT_EQ(invalid(r), "amount: at most 1000000000000");
    r = Request();
    r.payMethod = "\t";
    EXPECT_EQ(invalid(r), "payMethod: must not be blank");
}

TEST(PaymentTest, AReservationIsPaidOnceAndARepeatAnswersThatPayment) {
    EXPECT_EQ(pay::CheckPay(std::nullopt, std::nullopt, Request()).value(), pay::PayOutcome::kPay);
    pay::Payment paid = pay::Paid(Request(), "2030-01-01T00:00:00Z");
    paid.id = 9;
    EXPECT_EQ(paid.payStatus, "PayCompleted");
    EXPECT_EQ(pay::CheckPay(paid, std::nullopt, Request()).value(), pay::PayOutcome::kRepeat);

    auto other = Request();
    other.amount = 1;
    auto differs = pay::CheckPay(paid, std::nullopt, other);
    ASSERT_FALSE(differs);
    EXPECT_EQ(differs.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(differs.error().message, "reservation 5 was paid already, with other details");

    paid.payStatus = "PayCanceled";
    EXPECT_EQ(pay::CheckPay(paid, std::nullopt, Request()).error().message, "reservation 5's payment is PayCanceled");
    auto closed = pay::CheckPay(std::nullopt, pay::ClosedReservation{5, "PayVoided", ""}, Request());
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().message, "reservation 5 was closed (PayVoided)");
}

TEST(PaymentTest, ClosingReturnsAPaymentOnceOrRecordsThatNoneMayBeMade) {
    pay::Payment paid = pay::Paid(Request(), "t");
    auto refund = pay::Close(paid, std::nullopt, 5, pay::kPayCanceled, "t");
    ASSERT_TRUE(refund.payment);
    EXPECT_EQ(refund.payment->payStatus, "PayCanceled");
    EXPECT_EQ(refund.payment->amount, 200'000);
    EXPECT_TRUE(refund.announce);
    EXPECT_FALSE(refund.closure);

    auto again = pay::Close(refund.payment, std::nullopt, 5, pay::kPayCanceled, "t");
    EXPECT_FALSE(again.payment || again.closure || again.announce);

    auto voided = pay::Close(paid, std::nullopt, 5, pay::kPayVoided, "t");
    ASSERT_TRUE(voided.payment);
    EXPECT_EQ(voided.payment->payStatus, "PayVoided");
    EXPECT_TRUE(voided.announce);

    // Nothing paid yet: recorded, so a late payment is refused; a cancel request is still answered.
    auto void_first = pay::Close(std::nullopt, std::nullopt, 5, pay::kPayVoided, "t");
    ASSERT_TRUE(void_first.closure);
    EXPECT_EQ(void_first.closure->id, 5);
    EXPECT_FALSE(void_first.announce);
    auto cancel_first = pay::Close(std::nullopt, std::nullopt, 5, pay::kPayCanceled, "t");
    ASSERT_TRUE(cancel_first.closure);
    EXPECT_TRUE(cancel_first.announce);
    auto replay = pay::Close(std::nullopt, cancel_first.closure, 5, pay::kPayCanceled, "t");
    EXPECT_FALSE(replay.payment || replay.closure || replay.announce);
}

// ---- reservation-view -------------------------------------------------------------------------

TEST(ReservationViewTest, ARowFollowsItsReservationThroughTheCancellation) {
    view::ReservationView row;
    view::Project(ReservationCompleted{5, 5, 7, "101", "0001", "YANG", 3, "2021-11-01", "2021-11-03", 200'000, "card",
                                       "PayCompleted", "Completed"},
                  row);
    EXPECT_EQ(row.reservationId, 5);
    EXPECT_EQ(row.roomNo, "101");
    EXPECT_EQ(row.amount, 200'000);
    EXPECT_EQ(row.reservStatus, "Completed");
    view::Project(ReservationCancelRequested{5, 5, 7, "0001", 200'000, "CancelRequest"}, row);
    EXPECT_EQ(row.reservStatus, "CancelRequest");
    EXPECT_EQ(row.payStatus, "PayCompleted");
    view::Project(PayCanceled{9, 5, "0001", 200'000, "card", "PayCanceled"}, row);
    EXPECT_EQ(row.payStatus, "PayCanceled");
    view::Project(ReservationCanceled{5, 5, 7, "0001", "2021-11-01", "2021-11-03", "PayCanceled", "CancelCompleted"},
                  row);
    EXPECT_EQ(row.reservStatus, "CancelCompleted");
    EXPECT_EQ(row.reservStartDate, "2021-11-01");
}

}  // namespace
}  // namespace reservo::hotel
