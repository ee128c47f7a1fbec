#include "systems/vaccine/mypage/domain.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "systems/vaccine/notification/domain.hpp"
#include "systems/vaccine/reservation/domain.hpp"
#include "systems/vaccine/vaccine-mgmt/domain.hpp"

namespace reservo::vaccine {
namespace {

TEST(VaccineMgmtDomainTest, TakingTheLastDoseLeavesZeroAndThenRefuses) {
    mgmt::VaccineLot lot{1, "Pfizer", "Seoul", "2021-09-01", 1, "registered"};
    auto taken = mgmt::TakeOne(lot);
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->qty, 0);
    auto again = mgmt::TakeOne(*taken);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Code::kFailedPrecondition);
}

TEST(VaccineMgmtDomainTest, LotsNeedNamesAndSaneQuantities) {
    EXPECT_TRUE(mgmt::ValidateLot({0, "Pfizer", "Seoul", "2021-09-01", 20, ""}));
    EXPECT_FALSE(mgmt::ValidateLot({0, "", "Seoul", "2021-09-01", 20, ""}));
    EXPECT_FALSE(mgmt::ValidateLot({0, "Pfizer", "", "2021-09-01", 20, ""}));
    EXPECT_FALSE(mgmt::ValidateLot({0, "Pfizer", "Seoul", "2021-09-01", -1, ""}));
    EXPECT_FALSE(mgmt::ValidateLot({0, "Pfizer", "Seoul", "2021-09-01", mgmt::kMaxQty + 1, ""}));
}

TEST(VaccineMgmtDomainTest, NameLimitsCountCharactersNotBytes) {
    std::string hangul;
    for (int i = 0; i < 200; ++i) hangul += "\xEB\xB3\x91";  // 병: 200 characters, 600 bytes
    EXPECT_TRUE(mgmt::ValidateLot({0, "Pfizer", hangul, "2021-09-01", 20, ""}));
    auto longer = mgmt::ValidateLot({0, "Pfizer", hangul + "\xEB\xB3\x91", "2021-09-01", 20, ""});
    ASSERT_FALSE(longer);
    EXPECT_EQ(longer.error().message, "hospital: 1 to 200 characters");
    std::string type;
    for (int i = 0; i < 100; ++i) type += "\xEB\xB3\x91";
    EXPECT_TRUE(mgmt::ValidateLot({0, type, "Seoul", "2021-09-01", 20, ""}));
    EXPECT_FALSE(mgmt::ValidateLot({0, type + "x", "Seoul", "2021-09-01", 20, ""}));
}

TEST(VaccineMgmtDomainTest, BlankNamesAreRefusedNamingTheField) {
    for (const char* blank : {"   ", "\t", "\xE3\x80\x80", "\xC2\xA0 "}) {
        auto hospital = mgmt::ValidateLot({0, "Pfizer", blank, "2021-09-01", 20, ""});
        ASSERT_FALSE(hospital) << blank;
        EXPECT_EQ(hospital.error().code, Code::kInvalidArgument);
        EXPECT_EQ(hospital.error().message, "hospital: must not be blank");
        auto type = mgmt::ValidateLot({0, blank, "Seoul", "2021-09-01", 20, ""});
        ASSERT_FALSE(type) << blank;
        EXPECT_EQ(type.error().message, "vaccineType: must not be blank");
    }
}

TEST(VaccineMgmtDomainTest, RepeatTakeMustNameTheLotItTookFrom) {
    mgmt::VaccineLot lot{7, "Pfizer", "Seoul", "2021-09-01", 3, "registered"};
    EXPECT_TRUE(mgmt::CheckSameLot({.vaccineId = 7, .reservationId = "r1"}, lot));
    EXPECT_TRUE(mgmt::CheckSameLot(
        {.hospital = "Seoul", .availableDate = "2021-09-01", .vaccineType = "Pfizer", .reservationId = "r1"}, lot));
    auto other = mgmt::CheckSameLot({.vaccineId = 8, .reservationId = "r1"}, lot);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(other.error().message, "reservation r1 already took a dose from lot 7");
    EXPECT_FALSE(mgmt::CheckSameLot(
        {.hospital = "Busan", .availableDate = "2021-09-01", .vaccineType = "Pfizer", .reservationId = "r1"}, lot));
    EXPECT_FALSE(mgmt::CheckSameLot(
        {.hospital = "Seoul", .availableDate = "2021-09-02", .vaccineType = "Pfizer", .reservationId = "r1"}, lot));
    EXPECT_FALSE(mgmt::CheckSameLot(
        {.hospital = "Seoul", .availableDate = "2021-09-01", .vaccineType = "Moderna", .reservationId = "r1"}, lot));
}

TEST(VaccineMgmtDomainTest, LotsHoldingActiveDosesAreNotRemovable) {
    EXPECT_TRUE(mgmt::CheckRemovable(3, 0));
    auto held = mgmt::CheckRemovable(3, 2);
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(held.error().message, "lot 3 has doses taken by active reservations");
}

TEST(VaccineMgmtDomainTest, RepeatTakeIsIdempotentOnlyWhileTaken) {
    EXPECT_TRUE(mgmt::CheckRepeatTake(mgmt::DoseState::kTaken));
    EXPECT_FALSE(mgmt::CheckRepeatTake(mgmt::DoseState::kReturned));
    EXPECT_FALSE(mgmt::CheckRepeatTake(mgmt::DoseState::kVoided));
}

TEST(ReservationDomainTest, CancelIsOnceAndCannotBeUndone) {
    booking::Reservation r{.id = 1, .userId = 2, .reservationStatus = "reserved"};
    EXPECT_EQ(booking::Cancel(r).value(), booking::CancelOutcome::kCancelled);
    EXPECT_EQ(r.reservationStatus, "cancelled");
    EXPECT_EQ(booking::Cancel(r).value(), booking::CancelOutcome::kAlreadyCancelled);
    EXPECT_TRUE(booking::IsCancelRequest("canceled", "reserved").value());
    EXPECT_FALSE(booking::IsCancelRequest("reserved", "reserved").value());
    EXPECT_EQ(booking::IsCancelRequest("reserved", "cancelled").error().code, Code::kFailedPrecondition);
    EXPECT_EQ(booking::IsCancelRequest("done", "reserved").error().code, Code::kInvalidArgument);
}

TEST(ReservationDomainTest, PlaceAndTypeMustNotBeBlank) {
    EXPECT_TRUE(booking::ValidatePlaceAndType("Seoul", "Pfizer"));
    EXPECT_EQ(booking::ValidatePlaceAndType(" ", "Pfizer").error().message, "hospital: must not be blank");
    EXPECT_EQ(booking::ValidatePlaceAndType("Seoul", "\xE3\x80\x80").error().message, "vaccineType: must not be blank");
    EXPECT_EQ(booking::ValidatePlaceAndType("", "Pfizer").error().code, Code::kInvalidArgument);
}

TEST(NotificationDomainTest, ComposesMessagesPerEventType) {
    VaccineReserved reserved{.id = 5,
                             .reservationId = 5,
                             .userId = 9,
                             .hospital = "Seoul",
                             .reservedDate = "2021-09-01",
                             .vaccineType = "Pfizer"};
    auto m = notice::Compose(reserved);
    EXPECT_EQ(m.userId, 9);
    EXPECT_NE(m.text.find("Reservation 5 confirmed"), std::string::npos);
    auto all = notice::Compose(VaccineRegistered{.hospital = "Seoul", .qty = 20});
    EXPECT_FALSE(all.userId);
    EXPECT_NE(all.text.find("20 doses"), std::string::npos);
}

TEST(MyPageDomainTest, ProjectsTheReservation) {
    view::MyPage row;
    view::Project(VaccineReserved{.reservationId = 7, .userId = 3, .reservationStatus = "reserved"}, row);
    EXPECT_EQ(row.reservationId, 7);
    EXPECT_EQ(row.userId, 3);
    EXPECT_EQ(row.reservationStatus, "reserved");
}

}  // namespace
}  // namespace reservo::vaccine
