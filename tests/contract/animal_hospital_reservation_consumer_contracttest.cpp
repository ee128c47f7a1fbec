// Consumer side of systems/animal-hospital/contracts/reservation-diagnosis.json: the real
// reservation service (`reservo serve animal-hospital/reservation`) runs against a stub diagnosis
// that answers from the contract. Each test arms one interaction, makes reservation call it through
// its public API (POST /reservations), and checks that the request reservation sent is one the
// contract allows and that reservation made of the contract's answer what it should (the
// reservation stored under its id and ReservationReserved published). A change to reservation's
// call or to what it reads fails here; a change to diagnosis fails in provider_contracttest.cpp.
//
// The contract's request body names the reservation id literally (reservationId 1001), while
// reservation sends its own id: that of the reserve-visit saga's pending step, which its store
// numbers 1, 2, 3, ... (table saga_pending, AUTOINCREMENT). So that the real service sends the
// contract's id, the test moves that sequence on first (sqlite_sequence in
// <data>/reservation.db) and checks the reservation got that id. That is the only thing set behind
// the service's back. (The contract format has no matchers for request bodies, only literal values
// and ${variables} a provider state must bind, so it cannot say "any reservation id, e.g. 1001".)
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "kit/store/sqlite.hpp"
#include "tests/contract/consumer_test.hpp"

namespace reservo::contract {
namespace {

using e2e::AsInt;
using e2e::AsString;
using e2e::Reply;

constexpr std::string_view kOpens = "opens the medical record of a reservation";
constexpr int64_t kOpensId = 1001;                // the reservationId the interaction's request names
constexpr std::string_view kDate = "2030-04-30";  // its reservationDate

// Interactions reservation relies on but cannot be made to send through its API, and why.
const std::map<std::string_view, std::string_view> kProviderOnly = {
    {"answers a repeat with the same reservation id with the same record and opens one",
     "reservation repeats a call only when the first outcome is unknown (a transport failure or a timeout), which "
     "a stub answering over a healthy connection does not produce; the guarantee is verified on the provider side"},
    {"refuses with 409 a repeat that differs from the record opened",
     "reservation always sends the same doctor and first opinion (kDoctor, kFirstOpinion) and a repeat only with "
     "the same reservation, so it never sends a repeat that differs; the guarantee is verified on the provider side"},
    {"answers 400 for a record it cannot open",
     "reservation sends its own doctor (kDoctor), never a blank one, and validates the customer's input first, so "
     "it never sends what diagnosis refuses with 400; it maps a 400 to its own 400 with the detail"},
};

class AnimalHospitalReservationConsumer : public ConsumerContractTest {
  protected:
    static void SetUpTestSuite() {
        StartConsumer({.contract = "systems/animal-hospital/contracts/reservation-diagnosis.json",
                       .consumer = "animal-hospital/reservation",
                       .dependency = "diagnosis"});
    }

    // The next reservation (the saga's next pending step) gets `id`.
    static void NextReservationIs(int64_t id) { SetNextId("reservation.db", "saga_pending", id); }

    // Arms the stub with `interaction`, reserves through reservation, and checks that reservation
    // called diagnosis as the contract says. The reservation service's answer.
    Reply Exercise(std::string_view interaction, const std::string& reservation_body) {
        return ConsumerContractTest::Exercise(
            interaction, [&] { return http_.Call(consumer_->port(), "POST", "/reservations", reservation_body); });
    }

    int64_t StoredReservations() {
        Reply r = http_.Call(consumer_->port(), "GET", "/reservations?size=1");
        EXPECT_EQ(r.status, 200) << r.Describe();
        return r.status == 200 ? AsInt(r.Json().at("page").at("totalElements")) : -1;
    }

    // The ReservationReserved events in the log about a reservation (its subject).
    static int ReservedEventsOf(int64_t id) { return EventsOf("ReservationReserved", id); }
};

TEST_F(AnimalHospitalReservationConsumer, EveryInteractionIsExercisedHereOrExplained) {
    ExpectEveryInteractionCovered({kOpens}, kProviderOnly);
}

TEST_F(AnimalHospitalReservationConsumer, ReservesOnceDiagnosisOpenedTheMedicalRecord) {
    ASSERT_NO_FATAL_FAILURE(NextReservationIs(kOpensId));
    int64_t before = StoredReservations();
    bj::object body{{"reservatorName", "계약 테스트"}, {"reservationDate", kDate}, {"phoneNumber", "010-1234-5678"}};
    Reply r = Exercise(kOpens, bj::serialize(body));
    ASSERT_EQ(r.status, 201) << r.Describe();
    bj::object reservation = r.Json().as_object();
    EXPECT_EQ(AsInt(reservation["id"]), kOpensId) << "the reservation is the saga step diagnosis was called with";
    EXPECT_EQ(AsString(reservation["reservatorName"]), "계약 테스트");
    EXPECT_EQ(AsString(reservation["reservationDate"]), kDate);
    EXPECT_EQ(AsString(reservation["phoneNumber"]), "010-1234-5678");
    EXPECT_EQ(AsString(reservation["status"]), "reserved");
    EXPECT_EQ(StoredReservations(), before + 1) << "the opened record's reservation is stored";
    Reply stored = http_.Call(consumer_->port(), "GET", "/reservations/" + std::to_string(kOpensId));
    EXPECT_EQ(stored.status, 200) << stored.Describe();
    EXPECT_TRUE(e2e::Eventually([&] { return ReservedEventsOf(kOpensId) == 1; }))
        << "ReservationReserved is published once for the reservation";
}

TEST_F(AnimalHospitalReservationConsumer, InputItCannotReserveMakesNoCall) {
    // Not an interaction: what reservation refuses itself, diagnosis never hears of.
    stub_->Arm(*contract_->Find(kOpens));
    int64_t before = StoredReservations();
    Reply r =
        http_.Call(consumer_->port(), "POST", "/reservations",
                   R"({"reservatorName":"계약 테스트","reservationDate":"2030-02-30","phoneNumber":"010-1234-5678"})");
    EXPECT_EQ(r.status, 400) << r.Describe();
    EXPECT_TRUE(stub_->seen().empty()) << "reservation validates before it calls diagnosis";
    EXPECT_EQ(StoredReservations(), before);
}

}  // namespace
}  // namespace reservo::contract
