// End-to-end tests of system `hotel` with reservation paying over gRPC
// (`services.reservation.dependencies.payment.transport: grpc`): payment serves the same use case
// on its gRPC port (systems/hotel/payment/payment.proto) beside REST, and the call keeps its policy
// — payment stopped answers 503 fast and stores nothing, payment back works again. A bad request
// sent straight to the gRPC port is INVALID_ARGUMENT, and a repeated one pays once. The gRPC code
// is a module (libreservo_hotel_grpc.so) that payment and reservation load because they are
// configured for it, through the environment as a ConfigMap would; the other processes never map
// it nor libgrpc.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "systems/hotel/payment/payment.grpc.pb.h"
#include "tests/e2e/hotel_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;
namespace v1 = reservo::hotel::payment::v1;

constexpr int64_t kPrice = kRoomPrice;
// How payment counts the calls it answered over gRPC (grpc-ecosystem's name and labels).
constexpr std::string_view kPaidOverGrpc =
    R"(grpc_server_handled_total{grpc_service="reservo.hotel.payment.v1.Payments",grpc_method="Pay",grpc_code="OK"})";
constexpr std::string_view kPaidOverRest =
    R"(http_server_requests_seconds_count{method="POST",outcome="SUCCESS",status="201",uri="/payments"})";

int grpc_port = 0;  // payment's, from this binary's port block

// /proc/PID/maps: what the process has mapped (its libraries among it).
std::string MapsOf(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::stringstream all;
    all << maps.rdbuf();
    return all.str();
}

class HotelGrpcE2E : public HotelTest {
  protected:
    static void SetUpTestSuite() {
        grpc_port = ReservePorts(1);
        ASSERT_GT(grpc_port, 0) << "no free port for payment's gRPC";
        StartSystem({.system = "hotel",
                     .env = {{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_PAYMENT_TRANSPORT", "grpc"},
                             {"RESERVO_SERVICES_PAYMENT_GRPC_PORT", std::to_string(grpc_port)}}});
    }

    double PaidOverGrpc() { return ServiceMetric("payment", kPaidOverGrpc).value_or(0); }
    double PaidOverRest() { return ServiceMetric("payment", kPaidOverRest).value_or(0); }
    int64_t PaymentCount() { return TotalElements(PortOf("payment"), "/payments"); }

    // A call straight to payment's gRPC port, as reservation makes it.
    static grpc::Status Pay(const v1::PayRequest& request, v1::PayReply* reply) {
        auto stub = v1::Payments::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials()));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + 5s);
        return stub->Pay(&context, request, reply);
    }
};

// The seed's main flow, its payment made over gRPC: payment counts one gRPC call answered OK and
// no REST payment; the reservation and its payment are as over REST.
TEST_F(HotelGrpcE2E, AReservationIsPaidOverGrpc) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    const double grpc_before = PaidOverGrpc();
    const double rest_before = PaidOverRest();

    Reply r = Call("POST", "/reservations", ReservationBody(room, "grpc-happy", "2031-01-10", "2031-01-13"));
    ASSERT_EQ(r.status, 201) << r.Describe();
    bj::object created = r.Json().as_object();
    int64_t id = AsInt(created.at("id"));
    EXPECT_EQ(AsString(created["reservStatus"]), "Completed");
    EXPECT_EQ(AsString(created["payStatus"]), "PayCompleted");
    EXPECT_EQ(AsInt(created["amount"]), 3 * kPrice);

    auto payments = ListBy("payments", "reservationId", id);
    ASSERT_EQ(payments.size(), 1u);
    EXPECT_EQ(AsInt(payments[0]["amount"]), 3 * kPrice);
    EXPECT_EQ(AsString(payments[0]["payStatus"]), "PayCompleted");
    EXPECT_EQ(AsString(payments[0]["userId"]), "grpc-happy");

    EXPECT_EQ(PaidOverGrpc(), grpc_before + 1);
    EXPECT_EQ(PaidOverRest(), rest_before);
    // The caller's side: the call went through the dependency's policy (its latency observed).
    EXPECT_TRUE(ServiceMetric("reservation", R"(resilience4j_circuitbreaker_state{name="payment",state="closed"})")
                    .has_value());
}

// Payment stopped: the gRPC call fails at once (connection refused, then the circuit), the answer
// is a fast 503 with Retry-After, and nothing is stored; payment back, reserving works again.
TEST_F(HotelGrpcE2E, PaymentDownAnswers503FastThenWorksAgain) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    const int64_t reservations_before = TotalElements("/reservations");
    const int64_t payments_before = PaymentCount();

    StopService("payment");
    for (int i = 0; i < 3; ++i) {
        Reply r = Call("POST", "/reservations", ReservationBody(room, "grpc-down", "2031-03-01", "2031-03-03"));
        ExpectUnavailable(r, "POST while payment is stopped");
        EXPECT_LT(r.elapsed.count(), 1000) << r.Describe();
    }
    EXPECT_EQ(TotalElements("/reservations"), reservations_before);
    StartService("payment");

    EXPECT_TRUE(Eventually([&] { return Settled("reservation", "payment"); }));
    EXPECT_EQ(PaymentCount(), payments_before);
    const double grpc_before = PaidOverGrpc();  // payment restarted: its counters too
    int64_t id = -1;
    Reply last;
    EXPECT_TRUE(Eventually(
        [&] {
            last = Call("POST", "/reservations", ReservationBody(room, "grpc-down", "2031-03-01", "2031-03-03"));
            if (last.status == 201) id = AsInt(last.Json().as_object().at("id"));
            return last.status == 201;
        },
        15000ms, 200ms))
        << last.Describe();
    EXPECT_EQ(PaymentCount(), payments_before + 1);
    auto mine = ListBy("payments", "userId", "grpc-down");
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(AsInt(mine[0]["reservationId"]), id);
    EXPECT_EQ(PaidOverGrpc(), grpc_before + 1);
}

// A rolling restart of payment: the new process serves gRPC on the same port while the old one
// drains (both bind it, as replicas do), and reserving keeps working.
TEST_F(HotelGrpcE2E, PaymentRestartedKeepsServingGrpc) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    const auto old = system().Pids("payment");
    RestartService("payment");
    EXPECT_NE(system().Pids("payment"), old);
    Reply r;
    EXPECT_TRUE(Eventually(
        [&] {
            r = Call("POST", "/reservations", ReservationBody(room, "grpc-restart", "2031-05-01", "2031-05-02"));
            return r.status == 201;
        },
        15000ms, 200ms))
        << r.Describe();
    EXPECT_GE(PaidOverGrpc(), 1);  // the new process's own count
}

// Straight to payment's gRPC port: a bad request is INVALID_ARGUMENT with the rule it broke, and
// pays nothing; the same request twice pays once (keyed by the reservation id, like REST).
TEST_F(HotelGrpcE2E, BadRequestIsInvalidArgumentAndARepeatPaysOnce) {
    const int64_t payments_before = PaymentCount();
    v1::PayRequest bad;
    bad.set_reservation_id(990'000'001);
    bad.set_user_id("grpc-bad");
    bad.set_amount(-5);
    bad.set_pay_method("card");
    v1::PayReply reply;
    grpc::Status st = Pay(bad, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_FALSE(st.error_message().empty());
    bad.set_amount(100);
    bad.clear_user_id();
    st = Pay(bad, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_EQ(PaymentCount(), payments_before);

    v1::PayRequest good;
    good.set_reservation_id(990'000'002);
    good.set_user_id("grpc-repeat");
    good.set_amount(700);
    good.set_pay_method("card");
    v1::PayReply first, second;
    ASSERT_TRUE(Pay(good, &first).ok());
    EXPECT_TRUE(first.created());
    EXPECT_EQ(first.payment().pay_status(), "PayCompleted");
    EXPECT_EQ(first.payment().amount(), 700);
    ASSERT_TRUE(Pay(good, &second).ok());
    EXPECT_FALSE(second.created());
    EXPECT_EQ(second.payment().id(), first.payment().id());
    EXPECT_EQ(PaymentCount(), payments_before + 1);

    // The same reservation paid differently is refused: FAILED_PRECONDITION, as REST's 409.
    good.set_amount(800);
    st = Pay(good, &reply);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();

    // REST still serves beside gRPC (and is counted where AReservationIsPaidOverGrpc looks).
    const double rest_before = PaidOverRest();
    Reply rest = CallService("payment", "POST", "/payments",
                             R"({"reservationId":990000003,"userId":"grpc-rest","amount":900,"payMethod":"card"})");
    EXPECT_EQ(rest.status, 201) << rest.Describe();
    EXPECT_EQ(PaidOverRest(), rest_before + 1);
    v1::PayRequest same;
    same.set_reservation_id(990'000'003);
    same.set_user_id("grpc-rest");
    same.set_amount(900);
    same.set_pay_method("card");
    ASSERT_TRUE(Pay(same, &reply).ok());  // the payment REST made, answered again over gRPC
    EXPECT_FALSE(reply.created());
    EXPECT_EQ(reply.payment().id(), AsInt(rest.Json().as_object()["id"]));
}

// Only the processes configured for gRPC load the module, and only they map libgrpc: payment
// (grpc-port set) and reservation (transport grpc) do; room, reservation-view and the gateway do
// not.
TEST_F(HotelGrpcE2E, OnlyTheProcessesConfiguredForGrpcMapIt) {
    for (std::string_view configured : {"payment", "reservation"}) {
        auto pids = system().Pids(configured);
        ASSERT_FALSE(pids.empty()) << configured;
        for (pid_t pid : pids) {
            std::string maps = MapsOf(pid);
            ASSERT_FALSE(maps.empty()) << configured << " " << pid;
            EXPECT_NE(maps.find("/libreservo_hotel_grpc.so"), std::string::npos) << configured << " did not load it";
            EXPECT_NE(maps.find("/libgrpc"), std::string::npos) << configured;
        }
    }
    for (std::string_view other : {"room", "reservation-view", "gateway"}) {
        auto pids = system().Pids(other);
        ASSERT_FALSE(pids.empty()) << other;
        for (pid_t pid : pids) {
            std::string maps = MapsOf(pid);
            ASSERT_FALSE(maps.empty()) << other << " " << pid;
            EXPECT_EQ(maps.find("libreservo_hotel_grpc"), std::string::npos) << other << " loaded the gRPC module";
            EXPECT_EQ(maps.find("/libgrpc"), std::string::npos) << other << " maps libgrpc";
            EXPECT_EQ(maps.find("/libprotobuf"), std::string::npos) << other << " maps libprotobuf";
        }
    }
}

}  // namespace
}  // namespace reservo::e2e
