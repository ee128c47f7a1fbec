// Consumer side of systems/vaccine/contracts/reservation-vaccine-mgmt.json: the real reservation
// service (`reservo serve vaccine/reservation`) runs against a stub vaccine-mgmt that answers from
// the contract. Each test arms one interaction, makes reservation call it through its public API
// (POST /reservations), and checks that the request reservation sent is one the contract allows
// and that reservation made of the contract's answer what it should. A change to reservation's
// call (a renamed or unencoded parameter) or to what it reads fails here; a change to vaccine-mgmt
// fails in provider_contracttest.cpp.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/contract/consumer_test.hpp"

namespace reservo::contract {
namespace {

using e2e::AsInt;
using e2e::AsString;
using e2e::Reply;

constexpr std::string_view kById = "takes one dose from a lot given by id";
constexpr std::string_view kByPlace = "takes one dose from the lot found by hospital, date and type";
constexpr std::string_view kNoneLeft = "refuses with 409 when the lot has no dose left";
constexpr std::string_view kNoneAtPlace =
    "refuses with 409 when there is no lot of that type at that hospital on that date";
constexpr std::string_view kUnknownLot = "answers 404 for a lot that does not exist";

// Interactions reservation relies on but cannot be made to send through its API, and why.
const std::map<std::string_view, std::string_view> kProviderOnly = {
    {"answers 400 for input it cannot take a dose for",
     "reservation validates its input first (positive vaccineId, non-blank hospital and type, ISO date), so it "
     "never sends what vaccine-mgmt refuses with 400; it maps a 400 to its own 400 with the detail"},
    {"answers a repeat with the same reservation id with the same lot and takes no second dose",
     "reservation repeats a call only when the first outcome is unknown (a transport failure), which a stub "
     "answering over a healthy connection does not produce; the guarantee is verified on the provider side"},
};

class ReservationConsumer : public ConsumerContractTest {
  protected:
    static void SetUpTestSuite() {
        StartConsumer({.contract = "systems/vaccine/contracts/reservation-vaccine-mgmt.json",
                       .consumer = "vaccine/reservation",
                       .dependency = "vaccine-mgmt"});
    }

    // Arms the stub with `interaction`, reserves through reservation, and checks that reservation
    // called vaccine-mgmt as the contract says. The reservation service's answer.
    Reply Exercise(std::string_view interaction, const std::string& reservation_body) {
        return ConsumerContractTest::Exercise(
            interaction, [&] { return http_.Call(consumer_->port(), "POST", "/reservations", reservation_body); });
    }

    int64_t StoredReservations() {
        Reply r = http_.Call(consumer_->port(), "GET", "/reservations?size=1");
        EXPECT_EQ(r.status, 200) << r.Describe();
        return r.status == 200 ? AsInt(r.Json().at("page").at("totalElements")) : -1;
    }

    // A refusal by vaccine-mgmt: reservation answers `status` with vaccine-mgmt's detail and stores nothing.
    void ExpectRefusalPassedOn(std::string_view interaction, const std::string& body, int status) {
        int64_t before = StoredReservations();
        Reply r = Exercise(interaction, body);
        EXPECT_EQ(r.status, status) << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
        EXPECT_EQ(AsString(r.Json().as_object()["detail"]), AsString(StubAnswer(interaction)["detail"]))
            << "reservation passes vaccine-mgmt's detail on: " << r.Describe();
        EXPECT_EQ(StoredReservations(), before) << "a refused dose stores no reservation";
    }
};

TEST_F(ReservationConsumer, EveryInteractionIsExercisedHereOrExplained) {
    ExpectEveryInteractionCovered({kById, kByPlace, kNoneLeft, kNoneAtPlace, kUnknownLot}, kProviderOnly);
}

TEST_F(ReservationConsumer, ReservesWithTheLotVaccineMgmtAnswersForALotId) {
    Reply r = Exercise(kById, R"({"userId":1,"vaccineId":4242})");
    ASSERT_EQ(r.status, 201) << r.Describe();
    bj::object lot = StubAnswer(kById);
    bj::object reservation = r.Json().as_object();
    EXPECT_EQ(AsInt(reservation["vaccineId"]), AsInt(lot["id"]));
    EXPECT_EQ(AsInt(lot["id"]), 4242) << "the stub answers the lot asked for";
    EXPECT_EQ(AsString(reservation["hospital"]), AsString(lot["hospital"]));
    EXPECT_EQ(AsString(reservation["reservedDate"]), AsString(lot["availableDate"]));
    EXPECT_EQ(AsString(reservation["vaccineType"]), AsString(lot["vaccineType"]));
    EXPECT_EQ(AsString(reservation["reservationStatus"]), "reserved");
}

TEST_F(ReservationConsumer, ReservesByHospitalDateAndTypeWithAHospitalNameThatNeedsEncoding) {
    const std::string hospital = "서울 Contract Hospital & Co";
    bj::object body{{"userId", 2}, {"hospital", hospital}, {"reservedDate", "2026-12-02"}, {"vaccineType", "moderna"}};
    Reply r = Exercise(kByPlace, bj::serialize(body));
    ASSERT_EQ(r.status, 201) << r.Describe();
    EXPECT_EQ(AsString(stub_->vars()["hospital"]), hospital) << "what vaccine-mgmt decodes from reservation's query";
    EXPECT_EQ(AsString(stub_->vars()["availableDate"]), "2026-12-02");
    EXPECT_EQ(AsString(stub_->vars()["vaccineType"]), "moderna");
    bj::object lot = StubAnswer(kByPlace);
    bj::object reservation = r.Json().as_object();
    EXPECT_EQ(AsInt(reservation["vaccineId"]), AsInt(lot["id"])) << "the lot's id comes from the answer";
    EXPECT_EQ(AsString(reservation["hospital"]), hospital);
    EXPECT_EQ(AsString(reservation["reservedDate"]), "2026-12-02");
    EXPECT_EQ(AsString(reservation["vaccineType"]), "moderna");
}

TEST_F(ReservationConsumer, NoDoseLeftIs409WithVaccineMgmtsDetail) {
    ExpectRefusalPassedOn(kNoneLeft, R"({"userId":3,"vaccineId":4243})", 409);
}

TEST_F(ReservationConsumer, NoLotAtThatPlaceIs409WithVaccineMgmtsDetail) {
    ExpectRefusalPassedOn(
        kNoneAtPlace, R"({"userId":4,"hospital":"Elsewhere","reservedDate":"2026-12-03","vaccineType":"pfizer"})", 409);
}

TEST_F(ReservationConsumer, AnUnknownLotIs404WithVaccineMgmtsDetail) {
    ExpectRefusalPassedOn(kUnknownLot, R"({"userId":5,"vaccineId":999})", 404);
}

}  // namespace
}  // namespace reservo::contract
