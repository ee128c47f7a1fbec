// The vaccine system's vocabulary for end-to-end tests: lots, reservations, views, notifications.
//
//   class FlowE2E : public reservo::e2e::VaccineTest {};
//   TEST_F(FlowE2E, Reserves) {
//       std::string hospital = UniqueName("h");
//       int64_t lot = CreateLot(hospital, 5);
//       EXPECT_EQ(Call("POST", "/reservations", ReservationBody(1, lot)).status, 201);
//       EXPECT_TRUE(Eventually([&] { return MyPageRows(hospital).size() == 1; }));
//   }
//
// Tests tell their data apart by a unique hospital per lot.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {

// The options every vaccine suite starts from (fault injection on, for the seeds' experiments).
inline SystemOptions VaccineSystem() { return {.system = "vaccine"}; }

// POST /reservations body for a lot given by id.
std::string ReservationBody(int64_t user, int64_t lot);

// A suite on its own `reservo up vaccine`. A suite that needs other options defines its own
// SetUpTestSuite: `static void SetUpTestSuite() { auto o = VaccineSystem(); o.env = {...}; StartSystem(o); }`.
class VaccineTest : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem(VaccineSystem()); }

    // POST /vaccineMgmts; fails the test (and returns -1) unless 201.
    int64_t CreateLot(const std::string& hospital, int64_t qty);
    // GET /vaccineMgmts/{id} → qty (-1 when the call fails).
    int64_t LotQty(int64_t lot);
    std::vector<bj::object> ReservationsOfLot(int64_t lot);
    std::vector<bj::object> MyPageRows(const std::string& hospital);
    // Notifications whose correlationId is one of `ids` (reservation ids), of any type.
    std::vector<bj::object> NotificationsFor(const std::vector<int64_t>& reservation_ids);
    // POST /reservations until it is 201 again (after an outage: a circuit may need its open wait);
    // the reservation's id, or -1 (and a failure) when it never is.
    int64_t ReserveWhenServing(int64_t user, int64_t lot);
    // Waits until every dose taken from the lot belongs to a stored "reserved" reservation and
    // vaccine-mgmt's consumer is idle, then checks it exactly.
    void ExpectDosesMatchReservations(int64_t lot, int64_t initial_qty);
    // Waits until mypage and notification caught up, then checks each reservation in `ids` has
    // exactly one view row among the hospital's and exactly one VaccineReserved notification.
    void ExpectEveryReservationOnceDownstream(const std::string& hospital, const std::set<int64_t>& ids);
};

}  // namespace reservo::e2e
