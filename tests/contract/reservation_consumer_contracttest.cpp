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

#include "tests/contract/contract.hpp"

namespace reservo::contract {
namespace {

using e2e::AsInt;
using e2e::AsString;
using e2e::Reply;

constexpr std::string_view kById = "takes one dose from a lot given by id";
constexpr std::string_view kByPlace = "takes one dose from the lot found by hospital, date and type";
constexpr std::string_view kNoneLeft = "refuses with 409 when the lot has no dose left";
constexpr std::string_view kNoneAtPlace = "refuses with 409 when no lot has a dose at that hospital, date and type";
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

class ReservationConsumer : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto loaded = LoadContract(e2e::SourceDir() + "/systems/vaccine/contracts/reservation-vaccine-mgmt.json");
        ASSERT_TRUE(loaded) << loaded.error().message;
        contract_ = std::make_unique<Contract>(std::move(*loaded));
        stub_ = std::make_unique<StubProvider>();
        ASSERT_GT(stub_->port(), 0);
        std::string error;
        // Where reservation finds vaccine-mgmt: the URL a ConfigMap would set.
        reservation_ = e2e::ServedService::Start({.target = "vaccine/reservation",
                                                  .env = {{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_URL",
                                                           "http://127.0.0.1:" + std::to_string(stub_->port())}}},
                                                 &error);
        ASSERT_TRUE(reservation_) << error;
    }

    static void TearDownTestSuite() {
        reservation_.reset();
        stub_.reset();
        contract_.reset();
    }

    void SetUp() override { ASSERT_TRUE(contract_ && stub_ && reservation_) << "the suite did not start"; }

    void TearDown() override {
        if (HasFailure() && reservation_) std::cerr << "---- reservation's log\n" << reservation_->LogTail(30);
    }

    // Arms the stub with `interaction`, reserves through reservation, and checks that reservation
    // called vaccine-mgmt as the contract says. The reservation service's answer.
    Reply Exercise(std::string_view interaction, const std::string& reservation_body) {
        const Interaction* armed = contract_->Find(interaction);
        EXPECT_TRUE(armed) << contract_->file << " has no interaction \"" << interaction << "\"";
        if (!armed) return {};
        stub_->Arm(*armed);
        Reply reply = http_.Call(reservation_->port(), "POST", "/reservations", reservation_body);
        auto seen = stub_->seen();
        EXPECT_FALSE(seen.empty()) << contract_->Where(*armed)
                                   << ": reservation did not call vaccine-mgmt; it answered " << reply.Describe();
        for (const auto& s : seen) {
            for (const auto& m : s.mismatches) {
                ADD_FAILURE() << contract_->Where(*armed) << ": reservation sent " << s.request << ": " << m;
            }
        }
        EXPECT_EQ(seen.size(), 1u) << "one call per reservation";
        return reply;
    }

    // The stub's answer to the last call, as reservation received it.
    bj::object StubAnswer(std::string_view interaction) {
        auto answer = ExampleResponse(contract_->Find(interaction)->response, stub_->vars());
        EXPECT_TRUE(answer) << answer.error().message;
        return answer ? bj::parse(answer->body).as_object() : bj::object();
    }

    int64_t StoredReservations() {
        Reply r = http_.Call(reservation_->port(), "GET", "/reservations?size=1");
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

    static std::unique_ptr<Contract> contract_;
    static std::unique_ptr<StubProvider> stub_;
    static std::unique_ptr<e2e::ServedService> reservation_;
    e2e::Http http_;
};

std::unique_ptr<Contract> ReservationConsumer::contract_;
std::unique_ptr<StubProvider> ReservationConsumer::stub_;
std::unique_ptr<e2e::ServedService> ReservationConsumer::reservation_;

TEST_F(ReservationConsumer, EveryInteractionIsExercisedHereOrExplained) {
    std::set<std::string_view> exercised = {kById, kByPlace, kNoneLeft, kNoneAtPlace, kUnknownLot};
    for (const auto& i : contract_->interactions) {
        EXPECT_TRUE(exercised.contains(i.description) || kProviderOnly.contains(i.description))
            << contract_->Where(i) << ": not exercised by reservation's consumer test, nor explained";
    }
    for (auto name : exercised) EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
    for (auto& [name, why] : kProviderOnly)
        EXPECT_TRUE(contract_->Find(name)) << "the contract lost \"" << name << "\"";
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
