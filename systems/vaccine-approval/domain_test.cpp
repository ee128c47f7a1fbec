// Domain rules of system `vaccine-approval`, without I/O: which lot serves a reservation, what approval
// decides, the reservation's status transitions and the MyPage projection.
#include "systems/vaccine-approval/approval/domain.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "systems/vaccine-approval/mypage/domain.hpp"
#include "systems/vaccine-approval/reservation/domain.hpp"
#include "systems/vaccine-approval/vaccine-mgmt/domain.hpp"

namespace reservo::approval_system {
namespace {

// ---- vaccine-mgmt: assignment rules ----

using stock::AssignmentRequest;
using stock::VaccineLot;

VaccineLot Lot(int64_t id, std::string type, std::string expiry, std::string made, int64_t qty,
               std::string hospital = "Seoul") {
    return {id, std::move(type), std::move(hospital), {std::move(expiry)}, {std::move(made)}, qty};
}

AssignmentRequest Wants(std::string date, std::optional<std::string> type = std::nullopt) {
    return {.reservationId = 7, .hospital = "Seoul", .reservationDate = std::move(date), .vaccineType = type};
}

std::string Reason(const Result<VaccineLot>& r) {
    return r ? "(assigned lot " + std::to_string(r->id) + ")" : r.error().message;
}

TEST(AssignmentRulesTest, ALotServesOnlyItsHospitalWithADoseLeft) {
    EXPECT_TRUE(stock::CheckLot(Lot(1, "pfizer", "2027-06-01", "2026-01-01", 1), Wants("2026-12-01")));
    EXPECT_FALSE(stock::CheckLot(Lot(1, "pfizer", "2027-06-01", "2026-01-01", 1, "Busan"), Wants("2026-12-01")));
    auto empty = stock::CheckLot(Lot(1, "pfizer", "2027-06-01", "2026-01-01", 0), Wants("2026-12-01"));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(empty.error().message, "lot 1: no doses left at Seoul");
}

TEST(AssignmentRulesTest, TheTypeMustBeTheOneAskedForIgnoringCase) {
    VaccineLot lot = Lot(1, "Pfizer", "2027-06-01", "2026-01-01", 3);
    EXPECT_TRUE(stock::CheckLot(lot, Wants("2026-12-01")));  // none asked: any type
    EXPECT_TRUE(stock::CheckLot(lot, Wants("2026-12-01", "pfizer")));
    EXPECT_TRUE(stock::CheckLot(lot, Wants("2026-12-01", "PFIZER")));
    EXPECT_FALSE(stock::CheckLot(lot, Wants("2026-12-01", "moderna")));
    EXPECT_FALSE(stock::CheckLot(lot, Wants("2026-12-01", "pfizer2")));
}

TEST(AssignmentRulesTest, TheLotMustExpireAfterTheReservationDate) {
    EXPECT_TRUE(stock::CheckLot(Lot(1, "pfizer", "2026-12-02", "2026-01-01", 1), Wants("2026-12-01")));
    auto same_day = stock::CheckLot(Lot(1, "pfizer", "2026-12-01", "2026-01-01", 1), Wants("2026-12-01"));
    ASSERT_FALSE(same_day);
    EXPECT_EQ(same_day.error().message, "lot 1: no doses at Seoul that expire after 2026-12-01");
    EXPECT_FALSE(stock::CheckLot(Lot(1, "pfizer", "2026-11-30", "2026-01-01", 1), Wants("2026-12-01")));
}

TEST(AssignmentRulesTest, TheLotMustBeManufacturedByTheReservationDate) {
    EXPECT_TRUE(stock::CheckLot(Lot(1, "pfizer", "2027-06-01", "2026-12-01", 1), Wants("2026-12-01")));
    auto later = stock::CheckLot(Lot(1, "pfizer", "2027-06-01", "2026-12-02", 1), Wants("2026-12-01", "pfizer"));
    ASSERT_FALSE(later);
    EXPECT_EQ(later.error().message, "lot 1: no pfizer doses at Seoul manufactured by 2026-12-01");
}

TEST(AssignmentRulesTest, TheFirstToExpireIsUsedThenTheOldestLot) {
    std::vector<VaccineLot> lots = {
        Lot(1, "pfizer", "2027-09-01", "2026-01-01", 5),
        Lot(2, "moderna", "2027-03-01", "2026-01-01", 5),
        Lot(3, "pfizer", "2027-03-01", "2026-01-01", 5),
        Lot(4, "pfizer", "2026-11-01", "2026-01-01", 5),  // expired by then
        Lot(5, "pfizer", "2027-01-01", "2026-01-01", 0),  // empty
    };
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2026-12-01"))), "(assigned lot 2)");
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2026-12-01", "pfizer"))), "(assigned lot 3)");
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2027-05-01", "pfizer"))), "(assigned lot 1)");
}

TEST(AssignmentRulesTest, WhenNoLotFitsTheReasonIsTheClosestMiss) {
    EXPECT_EQ(Reason(stock::ChooseLot({}, Wants("2026-12-01"))), "no vaccine lot at Seoul");
    std::vector<VaccineLot> elsewhere = {Lot(1, "pfizer", "2027-09-01", "2026-01-01", 5, "Busan")};
    EXPECT_EQ(Reason(stock::ChooseLot(elsewhere, Wants("2026-12-01"))), "no vaccine lot at Seoul");
    std::vector<VaccineLot> ran_out = {Lot(1, "pfizer", "2027-09-01", "2026-01-01", 0)};
    EXPECT_EQ(Reason(stock::ChooseLot(ran_out, Wants("2026-12-01"))), "no doses left at Seoul");
    std::vector<VaccineLot> lots = {Lot(1, "pfizer", "2026-12-01", "2026-01-01", 5),
                                    Lot(2, "moderna", "2027-12-01", "2026-01-01", 5),
                                    Lot(3, "pfizer", "2027-12-01", "2026-01-01", 0)};
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2026-12-01", "janssen"))), "no janssen doses left at Seoul");
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2026-12-01", "pfizer"))),
              "no pfizer doses at Seoul that expire after 2026-12-01");
    EXPECT_EQ(Reason(stock::ChooseLot(lots, Wants("2025-12-01", "moderna"))),
              "no moderna doses at Seoul manufactured by 2025-12-01");
}

TEST(AssignmentRulesTest, ADoseIsTakenWhileOneIsLeftAndComesBack) {
    auto taken = stock::TakeOne(Lot(1, "pfizer", "2027-06-01", "2026-01-01", 1));
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->qty, 0);
    auto again = stock::TakeOne(*taken);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(stock::ReturnOne(*taken).qty, 1);
}

TEST(AssignmentRulesTest, LotsNeedNamesSaneQuantitiesAndExpireAfterTheyAreMade) {
    EXPECT_TRUE(stock::ValidateLot(Lot(0, "pfizer", "2027-06-01", "2026-01-01", 20)));
    EXPECT_TRUE(stock::ValidateLot(Lot(0, "pfizer", "2027-06-01", "2026-01-01", 0)));
    EXPECT_FALSE(stock::ValidateLot(Lot(0, " ", "2027-06-01", "2026-01-01", 20)));
    EXPECT_FALSE(stock::ValidateLot(Lot(0, "pfizer", "2027-06-01", "2026-01-01", 20, "")));
    EXPECT_FALSE(stock::ValidateLot(Lot(0, "pfizer", "2027-06-01", "2026-01-01", -1)));
    EXPECT_FALSE(stock::ValidateLot(Lot(0, "pfizer", "2027-06-01", "2026-01-01", stock::kMaxQty + 1)));
    auto backwards = stock::ValidateLot(Lot(0, "pfizer", "2026-01-01", "2026-01-01", 20));
    ASSERT_FALSE(backwards);
    EXPECT_EQ(backwards.error().code, Code::kInvalidArgument);
    EXPECT_FALSE(stock::ValidateLot(Lot(0, "pfizer", "2025-12-31", "2026-01-01", 20)));
}

TEST(AssignmentRulesTest, OneAssignmentAndOneReleasePerReservation) {
    using stock::Assignment;
    using stock::Release;
    EXPECT_TRUE(stock::ShouldAssign(std::nullopt));
    for (auto state : {stock::kAssigned, stock::kFailed, stock::kReleased, stock::kVoided}) {
        EXPECT_FALSE(stock::ShouldAssign(Assignment{.id = 7, .state = std::string(state)})) << state;
    }
    EXPECT_EQ(stock::ReleaseOf(Assignment{.id = 7, .vaccineId = 1, .state = "assigned"}), Release::kReturnDose);
    EXPECT_EQ(stock::ReleaseOf(Assignment{.id = 7, .state = "failed"}), Release::kReleaseNothing);
    EXPECT_EQ(stock::ReleaseOf(std::nullopt), Release::kReleaseNothing);  // the cancel came first
    EXPECT_EQ(stock::ReleaseOf(Assignment{.id = 7, .vaccineId = 1, .state = "released"}), Release::kNone);
    EXPECT_EQ(stock::ReleaseOf(Assignment{.id = 7, .state = "voided"}), Release::kNone);
    EXPECT_TRUE(stock::CheckRemovable(1, 0));
    EXPECT_FALSE(stock::CheckRemovable(1, 2));
}

// ---- reservation: status transitions ----

booking::ReservationRequest Request() { return {42, "홍길동", "Seoul", "2026-12-01", std::nullopt}; }
booking::AssignedVaccine Pfizer() { return {3, "pfizer", "2027-06-01", "2026-01-01"}; }

TEST(ReservationRulesTest, RequestsNameACustomerHospitalAndDate) {
    EXPECT_TRUE(booking::ValidateRequest(Request()));
    auto r = Request();
    r.customerId = 0;
    EXPECT_FALSE(booking::ValidateRequest(r));
    r = Request();
    r.customerName = "\xE3\x80\x80";  // U+3000 ideographic space only
    EXPECT_EQ(booking::ValidateRequest(r).error().message, "customerName: must not be blank");
    r = Request();
    r.hospital = "";
    EXPECT_FALSE(booking::ValidateRequest(r));
    r = Request();
    r.vaccineType = " ";
    EXPECT_FALSE(booking::ValidateRequest(r));
    r = Request();
    r.reservationDate = "2026-02-30";
    EXPECT_FALSE(booking::ValidateRequest(r));
}

TEST(ReservationRulesTest, AnApprovedReservationIsCompletedOnceWithItsVaccine) {
    auto r = booking::Approve(9, Request(), 5);
    EXPECT_EQ(r.status, "approved");
    EXPECT_EQ(r.approvalId, 5);
    EXPECT_FALSE(r.vaccineType);
    ASSERT_TRUE(booking::Complete(r, Pfizer()));
    EXPECT_EQ(r.status, "completed");
    EXPECT_EQ(r.vaccineType, "pfizer");
    EXPECT_EQ(r.vaccineId, 3);
    EXPECT_EQ(r.expiryDate->iso, "2027-06-01");
    EXPECT_EQ(r.manufactureDate->iso, "2026-01-01");
    EXPECT_FALSE(booking::Complete(r, {4, "moderna", "2027-07-01", "2026-02-01"}));  // a repeat
    EXPECT_EQ(r.vaccineId, 3);
    EXPECT_FALSE(booking::Reject(r, "late"));
    EXPECT_EQ(r.status, "completed");
}

TEST(ReservationRulesTest, AnApprovedReservationWithNoLotIsRejectedAndCannotBeCancelled) {
    auto r = booking::Approve(9, Request(), 5);
    ASSERT_TRUE(booking::Reject(r, "no doses left at Seoul"));
    EXPECT_EQ(r.status, "rejected");
    EXPECT_EQ(r.rejectionReason, "no doses left at Seoul");
    EXPECT_FALSE(booking::Complete(r, Pfizer()));
    auto cancel = booking::RequestCancel(r);
    ASSERT_FALSE(cancel);
    EXPECT_EQ(cancel.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(r.status, "rejected");
}

TEST(ReservationRulesTest, ACancelIsRequestedOnceAndConfirmedWithTheVaccineCleared) {
    auto r = booking::Approve(9, Request(), 5);
    ASSERT_TRUE(booking::Complete(r, Pfizer()));
    EXPECT_FALSE(booking::ConfirmCancel(r));  // not asked for
    ASSERT_EQ(booking::RequestCancel(r).value(), booking::CancelOutcome::kRequested);
    EXPECT_EQ(r.status, "cancelRequested");
    EXPECT_EQ(booking::RequestCancel(r).value(), booking::CancelOutcome::kAlreadyRequested);
    ASSERT_TRUE(booking::ConfirmCancel(r));
    EXPECT_EQ(r.status, "cancelled");
    EXPECT_FALSE(r.vaccineType);
    EXPECT_FALSE(r.vaccineId);
    EXPECT_FALSE(r.expiryDate);
    EXPECT_FALSE(r.manufactureDate);
    EXPECT_FALSE(booking::ConfirmCancel(r));  // a redelivered release
    EXPECT_EQ(booking::RequestCancel(r).value(), booking::CancelOutcome::kAlreadyRequested);
}

TEST(ReservationRulesTest, ACancelBeforeTheAssignmentWins) {
    auto r = booking::Approve(9, Request(), 5);
    ASSERT_EQ(booking::RequestCancel(r).value(), booking::CancelOutcome::kRequested);
    EXPECT_FALSE(booking::Complete(r, Pfizer()));
    EXPECT_FALSE(booking::Reject(r, "none"));
    EXPECT_EQ(r.status, "cancelRequested");
    ASSERT_TRUE(booking::ConfirmCancel(r));
    EXPECT_EQ(r.status, "cancelled");
}

TEST(ReservationRulesTest, OnlyACancelCanBeRequestedThroughTheStatus) {
    EXPECT_TRUE(booking::IsCancelRequest("cancelRequested", "completed").value());
    EXPECT_TRUE(booking::IsCancelRequest("cancelled", "approved").value());
    EXPECT_TRUE(booking::IsCancelRequest("canceled", "approved").value());
    EXPECT_FALSE(booking::IsCancelRequest("completed", "completed").value());
    EXPECT_EQ(booking::IsCancelRequest("completed", "approved").error().code, Code::kFailedPrecondition);
    EXPECT_EQ(booking::IsCancelRequest("approved", "cancelled").error().code, Code::kFailedPrecondition);
    EXPECT_EQ(booking::IsCancelRequest("deleted", "approved").error().code, Code::kInvalidArgument);
}

// ---- approval: what it decides ----

using approvals::Approval;
using approvals::ApprovalRequest;

ApprovalRequest Asks(int64_t reservation, std::string date, int64_t customer = 42) {
    return {reservation, customer, "홍길동", "Seoul", std::move(date)};
}
Approval Held(int64_t reservation, std::string date, std::string_view status = approvals::kApproved,
              int64_t customer = 42) {
    return {.id = reservation * 10,
            .reservationId = reservation,
            .customerId = customer,
            .customerName = "홍길동",
            .hospital = "Seoul",
            .reservationDate = {std::move(date)},
            .status = std::string(status)};
}
const approvals::ApprovalPolicy kPolicy{.booking_horizon_days = 180};
constexpr std::string_view kToday = "2026-11-21";

TEST(ApprovalRulesTest, DaysAreAddedOnTheCalendar) {
    EXPECT_EQ(approvals::AddDays("2026-11-21", 0).value(), "2026-11-21");
    EXPECT_EQ(approvals::AddDays("2026-11-21", 180).value(), "2027-05-20");
    EXPECT_EQ(approvals::AddDays("2028-02-28", 1).value(), "2028-02-29");
    EXPECT_EQ(approvals::AddDays("2027-02-28", 1).value(), "2027-03-01");
    EXPECT_EQ(approvals::AddDays("2026-12-31", 1).value(), "2027-01-01");
    EXPECT_FALSE(approvals::AddDays("2026-13-01", 1));
}

TEST(ApprovalRulesTest, TheBookingWindowRunsFromTodayToTheHorizon) {
    auto window = approvals::WindowOf(kToday, kPolicy);
    ASSERT_TRUE(window);
    EXPECT_EQ(window->firstDate, "2026-11-21");
    EXPECT_EQ(window->lastDate, "2027-05-20");
    EXPECT_EQ(window->horizonDays, 180);
    EXPECT_EQ(approvals::WindowOf(kToday, {.booking_horizon_days = 0})->lastDate, "2026-11-21");
}

TEST(ApprovalRulesTest, TodayUpToTheHorizonIsApproved) {
    auto today = approvals::Decide(Asks(1, "2026-11-21"), {}, kToday, kPolicy);
    ASSERT_TRUE(today) << today.error().message;
    EXPECT_EQ(today->status, "approved");
    EXPECT_EQ(today->reservationId, 1);
    EXPECT_EQ(today->reservationDate.iso, "2026-11-21");
    EXPECT_TRUE(approvals::Decide(Asks(1, "2027-05-20"), {}, kToday, kPolicy));
}

TEST(ApprovalRulesTest, APastDateOrOneBeyondTheHorizonIsRefused) {
    auto past = approvals::Decide(Asks(1, "2026-11-20"), {}, kToday, kPolicy);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(past.error().message, "reservationDate 2026-11-20 has passed; choose today or a later date");
    auto far = approvals::Decide(Asks(1, "2027-05-21"), {}, kToday, kPolicy);
    ASSERT_FALSE(far);
    EXPECT_EQ(far.error().code, Code::kFailedPrecondition);
}

TEST(ApprovalRulesTest, ACustomerHoldsOneUpcomingReservationAtATime) {
    std::vector<Approval> held = {Held(5, "2026-12-10")};
    auto second = approvals::Decide(Asks(6, "2026-12-20"), held, kToday, kPolicy);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(second.error().message, "customer 42 already holds reservation 5 on 2026-12-10; cancel it first");
    // Another customer, a date that has passed, a withdrawn or closed approval: no longer in the way.
    EXPECT_TRUE(approvals::Decide(Asks(6, "2026-12-20", 43), held, kToday, kPolicy));
    EXPECT_TRUE(approvals::Decide(Asks(6, "2026-12-20"), std::vector{Held(5, "2026-11-20")}, kToday, kPolicy));
    EXPECT_TRUE(approvals::Decide(Asks(6, "2026-12-20"), std::vector{Held(5, "2026-12-10", approvals::kWithdrawn)},
                                  kToday, kPolicy));
    EXPECT_TRUE(approvals::Decide(Asks(6, "2026-12-20"), std::vector{Held(5, "2026-12-10", approvals::kClosed)}, kToday,
                                  kPolicy));
}

TEST(ApprovalRulesTest, RequestsMustBeWellFormed) {
    EXPECT_EQ(approvals::Decide(Asks(0, "2026-12-01"), {}, kToday, kPolicy).error().code, Code::kInvalidArgument);
    EXPECT_EQ(approvals::Decide(Asks(1, "2026-12-01", -3), {}, kToday, kPolicy).error().code, Code::kInvalidArgument);
    auto blank = Asks(1, "2026-12-01");
    blank.customerName = "  ";
    EXPECT_EQ(approvals::Decide(blank, {}, kToday, kPolicy).error().code, Code::kInvalidArgument);
    EXPECT_EQ(approvals::Decide(Asks(1, "12/01/2026"), {}, kToday, kPolicy).error().code, Code::kInvalidArgument);
}

TEST(ApprovalRulesTest, ARepeatAnswersTheFirstDecisionUnlessItWasWithdrawn) {
    Approval first = Held(5, "2026-12-10");
    auto again = approvals::Repeat(first, Asks(5, "2026-12-10"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, first.id);
    EXPECT_FALSE(approvals::Repeat(first, Asks(5, "2026-12-11")));  // not the same request
    Approval withdrawn = first;
    ASSERT_TRUE(approvals::Withdraw(withdrawn));
    EXPECT_EQ(withdrawn.status, "withdrawn");
    EXPECT_FALSE(approvals::Withdraw(withdrawn));
    EXPECT_EQ(approvals::Repeat(withdrawn, Asks(5, "2026-12-10")).error().code, Code::kFailedPrecondition);
    Approval closed = first;
    ASSERT_TRUE(approvals::Close(closed));
    EXPECT_EQ(closed.status, "closed");
    EXPECT_FALSE(approvals::Close(closed));
    EXPECT_FALSE(approvals::Close(withdrawn));
}

// ---- mypage: the projection ----

TEST(MyPageProjectionTest, ARowFollowsItsReservationToCompletedAndCancelled) {
    view::MyPage row;
    view::Project(ReservationApproved{9, 42, "홍길동", "Seoul", "2026-12-01", std::nullopt, 5, "approved"}, row);
    EXPECT_EQ(row.reservationId, 9);
    EXPECT_EQ(row.customerId, 42);
    EXPECT_EQ(row.status, "approved");
    view::Project(VaccineAssigned{9, 3, "pfizer", "2027-06-01", "2026-01-01"}, row);
    EXPECT_EQ(row.status, "completed");
    EXPECT_EQ(row.vaccineType, "pfizer");
    EXPECT_EQ(row.expiryDate, "2027-06-01");
    EXPECT_EQ(row.manufactureDate, "2026-01-01");
    view::Project(ReservationCancelRequested{9, 42, "cancelRequested"}, row);
    EXPECT_EQ(row.status, "cancelRequested");
    view::Project(VaccineReleased{9, 3}, row);
    EXPECT_EQ(row.status, "cancelled");
    EXPECT_FALSE(row.vaccineType);
    EXPECT_FALSE(row.expiryDate);
    EXPECT_FALSE(row.manufactureDate);
    EXPECT_EQ(row.reservationDate, "2026-12-01");
    EXPECT_EQ(row.hospital, "Seoul");
}

TEST(MyPageProjectionTest, ARejectedRowAndACancelThatCameFirst) {
    view::MyPage rejected;
    view::Project(ReservationApproved{9, 42, "홍길동", "Seoul", "2026-12-01", "moderna", 5, "approved"}, rejected);
    view::Project(VaccineAssignFailed{9, "no moderna doses left at Seoul"}, rejected);
    EXPECT_EQ(rejected.status, "rejected");

    view::MyPage row;
    view::Project(ReservationApproved{9, 42, "홍길동", "Seoul", "2026-12-01", std::nullopt, 5, "approved"}, row);
    view::Project(ReservationCancelRequested{9, 42, "cancelRequested"}, row);
    view::Project(VaccineAssigned{9, 3, "pfizer", "2027-06-01", "2026-01-01"}, row);
    EXPECT_EQ(row.status, "cancelRequested");
    EXPECT_FALSE(row.expiryDate);
    view::Project(VaccineReleased{9, 3}, row);
    EXPECT_EQ(row.status, "cancelled");
}

}  // namespace
}  // namespace reservo::approval_system
