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

TEST(NotificationDomainTest, ComposesMessagesPerEventType) {
    boost::json::object reserved{
        {"id", 5}, {"userId", 9}, {"hospital", "Seoul"}, {"vaccineType", "Pfizer"}, {"reservedDate", "2021-09-01"}};
    auto m = notice::Compose("VaccineReserved", reserved);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->userId, 9);
    EXPECT_NE(m->text.find("Reservation 5 confirmed"), std::string::npos);
    auto all = notice::Compose("VaccineRegistered", {{"qty", 20}, {"hospital", "Seoul"}});
    ASSERT_TRUE(all);
    EXPECT_FALSE(all->userId);
    EXPECT_FALSE(notice::Compose("SomethingElse", {}));
}

TEST(MyPageDomainTest, ProjectsByReservationId) {
    auto row = view::Project({{"reservationId", "7"}, {"userId", 3}, {"reservationStatus", "reserved"}});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->reservationId, 7);
    EXPECT_EQ(row->userId, 3);
    EXPECT_FALSE(view::Project({{"userId", 3}}));
}

}  // namespace
}  // namespace reservo::vaccine
