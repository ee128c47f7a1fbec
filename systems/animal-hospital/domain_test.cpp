// Domain rules of system `animal-hospital`, without I/O: reservations (input, changes, a
// cancellation once), medical records (opened once per reservation, treated once, following their
// reservation), bills (paid once), the notice's messages and lookup's order-independent projection.
#include "systems/animal-hospital/acceptance/domain.hpp"

#include <gtest/gtest.h>

#include "systems/animal-hospital/diagnosis/domain.hpp"
#include "systems/animal-hospital/lookup/domain.hpp"
#include "systems/animal-hospital/notice/domain.hpp"
#include "systems/animal-hospital/reservation/domain.hpp"

namespace reservo::animal_hospital {
namespace {

// ---- reservation ---------------------------------------------------------------------------------

booking::Reservation Reserved() {
    return booking::Reservation{.id = 7,
                                .reservatorName = "Jackson",
                                .reservationDate = {"2020-04-30"},
                                .phoneNumber = "010-1234-5678",
                                .status = std::string(booking::kReserved)};
}

TEST(ReservationTest, TheSeedsRequestsAreValid) {
    EXPECT_TRUE(booking::ValidateReserve({"Jackson", "2020-04-30", "010-1234-5678"}));
    EXPECT_TRUE(booking::ValidateReserve({"Jackson", "2020-05-01", "01032713104"}));
    EXPECT_TRUE(booking::ValidateReserve({"pdc", "2020-02-01", "0103701"}));
}

TEST(ReservationTest, BadInputIsInvalidArgumentNamingTheField) {
    auto code = [](const booking::ReserveCommand& c) { return booking::ValidateReserve(c).error().code; };
    EXPECT_EQ(code({"", "2020-04-30", "010-1234-5678"}), Code::kInvalidArgument);
    EXPECT_EQ(code({"   ", "2020-04-30", "010-1234-5678"}), Code::kInvalidArgument);
    EXPECT_EQ(code({"Jackson", "202002", "010-1234-5678"}), Code::kInvalidArgument);
    EXPECT_EQ(code({"Jackson", "2020-02-30", "010-1234-5678"}), Code::kInvalidArgument);
    EXPECT_EQ(code({"Jackson", "2020-04-30", ""}), Code::kInvalidArgument);
    EXPECT_EQ(code({"Jackson", "2020-04-30", "call me"}), Code::kInvalidArgument);
    EXPECT_EQ(code({"Jackson", "2020-04-30", "01"}), Code::kInvalidArgument);
    EXPECT_NE(booking::ValidateReserve({"Jackson", "2020-04-30", "x"}).error().message.find("phoneNumber"),
              std::string::npos);
}

TEST(ReservationTest, AChangeMarksItChangedOnlyWhenSomethingChanged) {
    auto r = Reserved();
    EXPECT_FALSE(booking::Change(r, {.reservationDate = "2020-04-30"}).value());
    EXPECT_EQ(r.status, booking::kReserved);
    EXPECT_TRUE(booking::Change(r, {.reservationDate = "2020-05-01"}).value());
    EXPECT_EQ(r.reservationDate.iso, "2020-05-01");
    EXPECT_EQ(r.status, booking::kChanged);
    EXPECT_TRUE(booking::Change(r, {.phoneNumber = "010-9999-0000"}).value());
    EXPECT_EQ(r.reservatorName, "Jackson");
}

TEST(ReservationTest, ABadChangeChangesNothing) {
    auto r = Reserved();
    EXPECT_EQ(booking::Change(r, {.reservatorName = "", .reservationDate = "2020-05-01"}).error().code,
              Code::kInvalidArgument);
    EXPECT_EQ(r.reservationDate.iso, "2020-04-30");
    EXPECT_EQ(r.status, booking::kReserved);
}

TEST(ReservationTest, ACanceledReservationIsCanceledOnceAndNotChangedAgain) {
    auto r = Reserved();
    EXPECT_TRUE(booking::Cancel(r));
    EXPECT_EQ(r.status, booking::kCanceled);
    EXPECT_FALSE(booking::Cancel(r));
    EXPECT_EQ(booking::Change(r, {.reservationDate = "2020-05-01"}).error().code, Code::kFailedPrecondition);
}

// ---- diagnosis -----------------------------------------------------------------------------------

care::OpenRequest Open(int64_t reservation = 7) {
    return {.reservationId = reservation,
            .reservationDate = "2020-04-30",
            .doctor = "Brad pitt",
            .medicalOpinion = "별 이상 없습니다."};
}

care::MedicalRecord Record() {
    auto r = care::Opened(Open());
    r.id = 3;
    return r;
}

TEST(MedicalRecordTest, ARecordIsOpenedDiagnosedOrTreatedWhenItCarriesATreatment) {
    EXPECT_EQ(care::Opened(Open()).status, care::kDiagnosed);
    auto with_treatment = Open();
    with_treatment.treatment = "그냥 집에서 푹 쉬면 나을 것입니다.";
    EXPECT_EQ(care::Opened(with_treatment).status, care::kTreated);
}

TEST(MedicalRecordTest, OneRecordPerReservation) {
    EXPECT_EQ(care::CheckOpen(std::nullopt, std::nullopt, Open()).value(), care::OpenOutcome::kOpen);
    EXPECT_EQ(care::CheckOpen(Record(), std::nullopt, Open()).value(), care::OpenOutcome::kRepeat);
    auto other = Open();
    other.doctor = "Dr. Kim";
    EXPECT_EQ(care::CheckOpen(Record(), std::nullopt, other).error().code, Code::kFailedPrecondition);
    EXPECT_EQ(care::CheckOpen(std::nullopt, care::ClosedReservation{7, "x"}, Open()).error().code,
              Code::kFailedPrecondition);
    auto canceled = Record();
    care::CancelRecord(canceled);
    EXPECT_EQ(care::CheckOpen(canceled, std::nullopt, Open()).error().code, Code::kFailedPrecondition);
}

TEST(MedicalRecordTest, OpeningNeedsAReservationAndADoctor) {
    auto bad = Open(0);
    EXPECT_EQ(care::ValidateOpen(bad).error().code, Code::kInvalidArgument);
    bad = Open();
    bad.doctor = " ";
    EXPECT_EQ(care::ValidateOpen(bad).error().code, Code::kInvalidArgument);
    EXPECT_TRUE(care::ValidateOpen(Open()));
}

TEST(MedicalRecordTest, ATreatmentIsRecordedOnce) {
    auto r = Record();
    EXPECT_FALSE(care::Record(r, {.medicalOpinion = "slight fever"}).value());
    EXPECT_EQ(r.status, care::kDiagnosed);
    EXPECT_TRUE(care::Record(r, {.treatment = "rest", .status = "treated"}).value());
    EXPECT_EQ(r.status, care::kTreated);
    EXPECT_EQ(r.treatment, "rest");
    EXPECT_FALSE(care::Record(r, {.treatment = "rest", .status = "treated"}).value());  // a repeat
    EXPECT_EQ(care::Record(r, {.treatment = "surgery"}).error().code, Code::kFailedPrecondition);
    EXPECT_EQ(r.treatment, "rest");
}

TEST(MedicalRecordTest, ATreatmentGivenWithoutAStatusIsRecorded) {
    auto r = Record();
    EXPECT_TRUE(care::Record(r, {.treatment = "rest"}).value());
    EXPECT_EQ(r.status, care::kTreated);
}

TEST(MedicalRecordTest, TreatingNeedsATreatmentAndAKnownStatus) {
    auto r = Record();
    EXPECT_EQ(care::Record(r, {.status = "treated"}).error().code, Code::kInvalidArgument);
    EXPECT_EQ(care::Record(r, {.treatment = "rest", .status = "cured"}).error().code, Code::kInvalidArgument);
    EXPECT_EQ(care::Record(r, {.status = "canceled"}).error().code, Code::kFailedPrecondition);
    EXPECT_EQ(r.status, care::kDiagnosed);
    EXPECT_TRUE(r.treatment.empty());
}

TEST(MedicalRecordTest, TheRecordFollowsItsReservation) {
    auto r = Record();
    EXPECT_TRUE(care::Reschedule(r, "2020-05-01"));
    EXPECT_FALSE(care::Reschedule(r, "2020-05-01"));
    EXPECT_EQ(r.reservationDate, "2020-05-01");
    EXPECT_TRUE(care::CancelRecord(r));
    EXPECT_EQ(r.status, care::kCanceled);
    EXPECT_FALSE(care::Reschedule(r, "2020-05-02"));
    EXPECT_EQ(care::Record(r, {.treatment = "rest"}).error().code, Code::kFailedPrecondition);
}

TEST(MedicalRecordTest, ATreatedRecordIsNotCanceled) {
    auto r = Record();
    ASSERT_TRUE(care::Record(r, {.treatment = "rest"}).value());
    EXPECT_FALSE(care::CancelRecord(r));
    EXPECT_EQ(r.status, care::kTreated);
}

// ---- acceptance ----------------------------------------------------------------------------------

TEST(BillTest, ATreatmentIsBilledAtTheFeeAndPaidOnce) {
    auto bill = billing::BillFor(7);
    EXPECT_EQ(bill.reservationId, 7);
    EXPECT_EQ(bill.fee, billing::kFee);
    EXPECT_EQ(bill.status, billing::kBilled);
    EXPECT_TRUE(billing::IsPayment("paid", bill.status).value());
    EXPECT_FALSE(billing::IsPayment("billed", bill.status).value());
    EXPECT_TRUE(billing::Pay(bill));
    EXPECT_FALSE(billing::Pay(bill));
    EXPECT_FALSE(billing::IsPayment("paid", bill.status).value());
    EXPECT_EQ(billing::IsPayment("billed", bill.status).error().code, Code::kFailedPrecondition);
    EXPECT_EQ(billing::IsPayment("refunded", bill.status).error().code, Code::kInvalidArgument);
}

// ---- notice --------------------------------------------------------------------------------------

TEST(NoticeTest, TheMessageSaysWhatHappened) {
    EXPECT_EQ(notice::MessageFor("reserved", "Jackson", "2020-04-30"),
              "[동물병원] Jackson님, 2020-04-30 예약 되었습니다.");
    EXPECT_NE(notice::MessageFor("changed", "Jackson", "2020-05-01").find("예약 변경"), std::string::npos);
    EXPECT_NE(notice::MessageFor("canceled", "Jackson", "2020-05-01").find("예약 취소"), std::string::npos);
}

// ---- lookup --------------------------------------------------------------------------------------

TEST(LookupTest, EveryStatusTogether) {
    lookup::ReservationStat row;
    lookup::Project(ReservationReserved{7, "Jackson", "2020-04-30", "010", "reserved"}, row);
    EXPECT_EQ(row.reservationId, 7);
    EXPECT_EQ(row.reservationStatus, "reserved");
    EXPECT_EQ(row.diagnosisStatus, "diagnosed");
    lookup::Project(Treated{3, 7, "Brad pitt", "ok", "rest", "treated"}, row);
    lookup::Project(Billed{1, 7, 10000, "billed"}, row);
    EXPECT_EQ(row.paymentStatus, "billed");
    lookup::Project(Paid{1, 7, 10000, "paid"}, row);
    EXPECT_EQ(row.diagnosisStatus, "treated");
    EXPECT_EQ(row.treatment, "rest");
    EXPECT_EQ(row.fee, 10000);
    EXPECT_EQ(row.paymentStatus, "paid");
}

TEST(LookupTest, TheOrderOfServicesDoesNotMatter) {
    lookup::ReservationStat row;
    lookup::Project(Treated{3, 7, "Brad pitt", "ok", "rest", "treated"}, row);
    lookup::Project(Paid{1, 7, 10000, "paid"}, row);
    lookup::Project(Billed{1, 7, 10000, "billed"}, row);  // not relayed in order with Paid: paid stays
    lookup::Project(ReservationReserved{7, "Jackson", "2020-04-30", "010", "reserved"}, row);
    lookup::Project(ReservationCanceled{7, "Jackson", "2020-04-30", "010", "canceled"}, row);
    EXPECT_EQ(row.diagnosisStatus, "treated");  // treated care is not canceled
    EXPECT_EQ(row.paymentStatus, "paid");
    EXPECT_EQ(row.reservationStatus, "canceled");

    lookup::ReservationStat untreated;
    lookup::Project(ReservationReserved{8, "Lee", "2020-04-30", "010", "reserved"}, untreated);
    lookup::Project(ReservationCanceled{8, "Lee", "2020-04-30", "010", "canceled"}, untreated);
    EXPECT_EQ(untreated.diagnosisStatus, "canceled");
}

}  // namespace
}  // namespace reservo::animal_hospital
