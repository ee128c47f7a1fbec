// Use cases of system `animal-hospital` over a real store: a medical record opened once per
// reservation and treated once, a reservation changed and canceled with one event each, a
// treatment billed once however often Treated is delivered, a bill paid once.
#include "systems/animal-hospital/acceptance/application.hpp"

#include <gtest/gtest.h>

#include "kit/service/use_case_test_support.hpp"
#include "systems/animal-hospital/diagnosis/application.hpp"
#include "systems/animal-hospital/reservation/application.hpp"

namespace reservo::animal_hospital {
namespace {

using service::UseCaseTest;

const store::Table<care::MedicalRecord> kRecords({.collection = "medicalRecords", .unique = {"reservationId"}});
const store::Table<care::ClosedReservation> kClosed({.collection = "closedReservations", .assigned_ids = true});
const store::Table<booking::Reservation> kReservations({.collection = "reservations", .assigned_ids = true});
const store::Table<billing::FinancialManagement> kBills({.collection = "financialManagements",
                                                         .unique = {"reservationId"}});

class RecordsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kRecords.shape().Ensure(db()));
        ASSERT_TRUE(kClosed.shape().Ensure(db()));
    }
    care::OpenRequest Open(int64_t reservation) {
        return {.reservationId = reservation, .reservationDate = "2030-01-01", .doctor = "Brad pitt"};
    }
    care::Records records{kRecords, kClosed};
};

TEST_F(RecordsTest, ARepeatAnswersTheSameRecord) {
    auto tx = Tx();
    auto first = records.Open(tx, Open(11)).value();
    EXPECT_TRUE(first.created);
    auto again = records.Open(tx, Open(11)).value();
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.record.id, first.record.id);
    EXPECT_EQ(kRecords.Where(db(), "reservationId", int64_t{11}).value().size(), 1u);
    EXPECT_TRUE(Published<Treated>().empty());
}

TEST_F(RecordsTest, TreatingPublishesTreatedOnce) {
    auto tx = Tx();
    auto opened = records.Open(tx, Open(12)).value();
    ASSERT_TRUE(records.RecordTreatment(tx, opened.record.id, {.treatment = "rest", .status = "treated"}));
    ASSERT_TRUE(records.RecordTreatment(tx, opened.record.id, {.status = "treated"}));
    ASSERT_EQ(Published<Treated>().size(), 1u);
    EXPECT_EQ(Published<Treated>()[0].reservationId, 12);
    EXPECT_EQ(Published<Treated>()[0].treatment, "rest");
    EXPECT_EQ(records.RecordTreatment(tx, 999, {.treatment = "rest"}).error().code, Code::kNotFound);
}

TEST_F(RecordsTest, AnAbortedReservationGetsNoRecordLater) {
    auto tx = Tx();
    ASSERT_TRUE(records.Close(tx, ReservationAborted{13}));
    EXPECT_EQ(records.Open(tx, Open(13)).error().code, Code::kFailedPrecondition);
    auto opened = records.Open(tx, Open(14)).value();
    ASSERT_TRUE(records.Close(tx, ReservationAborted{14}));
    EXPECT_EQ(kRecords.Load(db(), opened.record.id).value().status, care::kCanceled);
}

TEST_F(RecordsTest, TheRecordFollowsItsReservation) {
    auto tx = Tx();
    auto opened = records.Open(tx, Open(15)).value();
    ASSERT_TRUE(records.Reschedule(tx, ReservationChanged{15, "Kim", "2030-02-02", "010", "changed"}));
    EXPECT_EQ(kRecords.Load(db(), opened.record.id).value().reservationDate, "2030-02-02");
    ASSERT_TRUE(records.CancelFor(tx, ReservationCanceled{15, "Kim", "2030-02-02", "010", "canceled"}));
    EXPECT_EQ(kRecords.Load(db(), opened.record.id).value().status, care::kCanceled);
}

class ReservationsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kReservations.shape().Ensure(db()));
    }
    booking::Reservations reservations{kReservations};
};

TEST_F(ReservationsTest, ChangesAndACancellationPublishOnceEach) {
    auto tx = Tx();
    ASSERT_TRUE(reservations.Store(tx, 21, {"Jackson", "2030-04-30", "010-1234-5678"}));
    ASSERT_EQ(Published<ReservationReserved>().size(), 1u);
    ASSERT_TRUE(reservations.ChangeReservation(tx, 21, {.reservationDate = "2030-05-01"}));
    ASSERT_TRUE(reservations.ChangeReservation(tx, 21, {.reservationDate = "2030-05-01"}));  // nothing new
    EXPECT_EQ(Published<ReservationChanged>().size(), 1u);
    ASSERT_TRUE(reservations.CancelReservation(tx, 21));
    ASSERT_TRUE(reservations.CancelReservation(tx, 21));
    EXPECT_EQ(Published<ReservationCanceled>().size(), 1u);
    EXPECT_EQ(reservations.ChangeReservation(tx, 21, {.phoneNumber = "010"}).error().code, Code::kFailedPrecondition);
    EXPECT_EQ(reservations.CancelReservation(tx, 99).error().code, Code::kNotFound);
}

class BillsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kBills.shape().Ensure(db()));
    }
    billing::Bills bills{kBills};
};

TEST_F(BillsTest, ATreatmentIsBilledOnceAndPaidOnce) {
    auto tx = Tx();
    Treated treated{3, 31, "Brad pitt", "ok", "rest", "treated"};
    ASSERT_TRUE(bills.BillTreatment(tx, treated));
    ASSERT_TRUE(bills.BillTreatment(tx, treated));  // delivered again
    auto rows = kBills.Where(db(), "reservationId", int64_t{31}).value();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].fee, billing::kFee);
    EXPECT_EQ(Published<Billed>().size(), 1u);
    ASSERT_TRUE(bills.PayBill(tx, rows[0].id));
    ASSERT_TRUE(bills.PayBill(tx, rows[0].id));
    ASSERT_EQ(Published<Paid>().size(), 1u);
    EXPECT_EQ(Published<Paid>()[0].status, "paid");
}

}  // namespace
}  // namespace reservo::animal_hospital
