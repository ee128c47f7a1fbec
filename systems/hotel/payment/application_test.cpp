// Payment's use cases over a real store: paid once per reservation id (a retry answers the same
// payment), refunded once on a cancel request, voided on an abort — and a payment asked for after
// its reservation was closed is refused.
#include "systems/hotel/payment/application.hpp"

#include "systems/hotel/application_test_support.hpp"

namespace reservo::hotel::pay {
namespace {

const store::Table<Payment> kPayments({.collection = "payments", .unique = {"reservationId"}});
const store::Table<ClosedReservation> kClosed({.collection = "closedReservations", .assigned_ids = true});

class PaymentsTest : public UseCaseTest {
  protected:
    void SetUp() override {
        UseCaseTest::SetUp();
        ASSERT_TRUE(kPayments.shape().Ensure(db()));
        ASSERT_TRUE(kClosed.shape().Ensure(db()));
    }
    Result<PayResult> PayFor(int64_t reservation, int64_t amount = 200'000) {
        auto tx = Tx();
        return payments_.Pay(tx, {reservation, "0001", amount, "card"});
    }
    Status CancelRequested(int64_t reservation) {
        auto tx = Tx();
        return payments_.CancelPayment(tx, {reservation, reservation, 7, "0001", 200'000, "CancelRequest"});
    }
    Status Aborted(int64_t reservation) {
        auto tx = Tx();
        return payments_.VoidPayment(tx, {reservation, 7});
    }

    Payments payments_{kPayments, kClosed, Steps()};
};

TEST_F(PaymentsTest, AReservationIsPaidOnceAndARetryAnswersTheSamePayment) {
    auto first = PayFor(5);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->created);
    EXPECT_EQ(first->payment.payStatus, "PayCompleted");
    EXPECT_FALSE(first->payment.payDate.empty());
    auto retry = PayFor(5);
    ASSERT_TRUE(retry);
    EXPECT_FALSE(retry->created);
    EXPECT_EQ(retry->payment.id, first->payment.id);
    EXPECT_EQ(kPayments.Where(db(), "reservationId", int64_t{5}).value().size(), 1u);
    ASSERT_EQ(Published<PayCompleted>().size(), 1u);
    EXPECT_EQ(Published<PayCompleted>()[0].amount, 200'000);

    auto other = PayFor(5, 1);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(PayFor(0).error().code, Code::kInvalidArgument);
}

TEST_F(PaymentsTest, ACancelRequestRefundsThePaymentOnce) {
    ASSERT_TRUE(PayFor(5));
    ASSERT_TRUE(CancelRequested(5));
    ASSERT_TRUE(CancelRequested(5));  // redelivered
    auto refunded = Published<PayCanceled>();
    ASSERT_EQ(refunded.size(), 1u);
    EXPECT_EQ(refunded[0].reservationId, 5);
    EXPECT_EQ(refunded[0].amount, 200'000);
    EXPECT_EQ(refunded[0].payStatus, "PayCanceled");
    EXPECT_EQ(kPayments.FindBy(db(), "reservationId", int64_t{5}).value()->payStatus, "PayCanceled");
    EXPECT_EQ(PayFor(5).error().code, Code::kFailedPrecondition);  // not paid again
    EXPECT_EQ(steps_, (std::vector<std::string>{"5:paid", "5:pay-canceled"}));
}

TEST_F(PaymentsTest, ACancelRequestWithoutAPaymentIsStillAnswered) {
    ASSERT_TRUE(CancelRequested(6));
    auto answered = Published<PayCanceled>();
    ASSERT_EQ(answered.size(), 1u);
    EXPECT_EQ(answered[0].id, 0);
    EXPECT_EQ(answered[0].amount, 0);
    ASSERT_TRUE(CancelRequested(6));
    EXPECT_EQ(Published<PayCanceled>().size(), 1u);
    EXPECT_EQ(PayFor(6).error().code, Code::kFailedPrecondition);
}

TEST_F(PaymentsTest, AnAbortVoidsThePaymentOrForbidsALateOne) {
    ASSERT_TRUE(PayFor(7));
    ASSERT_TRUE(Aborted(7));
    EXPECT_EQ(kPayments.FindBy(db(), "reservationId", int64_t{7}).value()->payStatus, "PayVoided");
    ASSERT_EQ(Published<PayCanceled>().size(), 1u);
    EXPECT_EQ(Published<PayCanceled>()[0].payStatus, "PayVoided");

    // The abort overtook the payment request (it was slow): the late request pays nothing.
    ASSERT_TRUE(Aborted(8));
    ASSERT_TRUE(Aborted(8));
    auto late = PayFor(8);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(late.error().message, "reservation 8 was closed (PayVoided)");
    EXPECT_FALSE(kPayments.FindBy(db(), "reservationId", int64_t{8}).value());
    EXPECT_EQ(Published<PayCanceled>().size(), 1u);  // nothing was given back for 8
}

}  // namespace
}  // namespace reservo::hotel::pay
