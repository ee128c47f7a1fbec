// End-to-end tests of system `hotel` (seed 002) through its gateway: a room registered and
// reserved with a synchronous payment, no overbooking under concurrency, payment down or slow
// (503 fast, nothing stored, no payment left behind), the cancellation saga (also while payment
// and room are down), consumers catching up without duplicates, bad input, and the seed's siege
// request body.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/hotel_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kPrice = kRoomPrice;

class HotelE2E : public HotelTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "hotel"}); }

    // POST /reservations expecting 201; the reservation's id (-1 otherwise).
    int64_t Reserve(int64_t room, const std::string& user, const std::string& start, const std::string& end) {
        return Create("/reservations", ReservationBody(room, user, start, end));
    }
    std::string Status(int64_t reservation) {
        return Field("/reservations/" + std::to_string(reservation), "reservStatus");
    }

    // Through the gateway, by the finders (the payment list itself is internal).
    std::vector<bj::object> PaymentsOf(int64_t reservation) { return ListBy("payments", "reservationId", reservation); }
    std::vector<bj::object> PaymentsOfUser(const std::string& user) { return ListBy("payments", "userId", user); }
    // Every payment, straight from the payment service.
    int64_t PaymentCount() { return TotalElements(PortOf("payment"), "/payments"); }
    std::vector<bj::object> ViewOf(int64_t reservation) {
        return ListBy("reservationViews", "reservationId", reservation);
    }
    std::vector<bj::object> ChargesOf(int64_t reservation) {
        return ListBy("roomCharges", "reservationId", reservation);
    }
    std::string ChargeOf(int64_t reservation) {
        auto rows = ChargesOf(reservation);
        return rows.size() == 1 ? AsString(rows[0]["chargeStatus"]) : "rows: " + std::to_string(rows.size());
    }
    std::string RoomStatus(int64_t room) { return Field("/roomInfos/" + std::to_string(room), "roomStatus"); }
    // The steps a service recorded under a reservation id (GET /actuator/sagas/{id}), in order.
    std::vector<std::string> SagaSteps(std::string_view service, int64_t reservation) {
        Reply r = CallService(service, "GET", "/actuator/sagas/" + std::to_string(reservation));
        bj::value v = r.Json();
        EXPECT_EQ(r.status, 200) << r.Describe();
        std::vector<std::string> out;
        if (r.status != 200 || !v.is_object() || !v.as_object().contains("steps")) return out;
        for (const auto& step : v.as_object().at("steps").as_array())
            out.push_back(AsString(step.as_object().at("step")));
        return out;
    }
};

// The seed's main flow: a room is registered, reserved and paid; the payment, the view row and
// the room's charge follow.
TEST_F(HotelE2E, ReservingARoomPaysForItAndChargesTheRoom) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    Reply r = Call("POST", "/reservations", ReservationBody(room, "happy", "2030-01-10", "2030-01-13"));
    ASSERT_EQ(r.status, 201) << r.Describe();
    EXPECT_FALSE(r.Header("Location").empty());
    bj::object created = r.Json().as_object();
    int64_t id = AsInt(created.at("id"));
    EXPECT_EQ(AsString(created["reservStatus"]), "Completed");
    EXPECT_EQ(AsString(created["payStatus"]), "PayCompleted");
    EXPECT_EQ(AsInt(created["amount"]), 3 * kPrice);
    EXPECT_EQ(AsInt(created["roomId"]), room);
    EXPECT_EQ(AsString(created["reservStartDate"]), "2030-01-10");
    EXPECT_EQ(AsString(created["reservEndDate"]), "2030-01-13");
    EXPECT_EQ(Status(id), "Completed");

    auto payments = PaymentsOf(id);
    ASSERT_EQ(payments.size(), 1u);
    EXPECT_EQ(AsInt(payments[0]["amount"]), 3 * kPrice);
    EXPECT_EQ(AsString(payments[0]["payStatus"]), "PayCompleted");
    EXPECT_EQ(AsString(payments[0]["userId"]), "happy");

    std::vector<bj::object> view;
    ASSERT_TRUE(Eventually([&] {
        view = ViewOf(id);
        return view.size() == 1;
    })) << "no view row for reservation "
        << id;
    EXPECT_EQ(AsInt(view[0]["roomId"]), room);
    EXPECT_EQ(AsString(view[0]["reservStartDate"]), "2030-01-10");
    EXPECT_EQ(AsString(view[0]["reservEndDate"]), "2030-01-13");
    EXPECT_EQ(AsInt(view[0]["amount"]), 3 * kPrice);
    EXPECT_EQ(AsString(view[0]["payStatus"]), "PayCompleted");
    EXPECT_EQ(AsString(view[0]["reservStatus"]), "Completed");
    EXPECT_EQ(ListAll("/reservationViews/search/findByUserId?userId=happy", "reservationViews").size(), 1u);

    EXPECT_TRUE(Eventually([&] { return ChargeOf(id) == "Charged"; })) << ChargeOf(id);
    EXPECT_EQ(RoomStatus(room), "Charged");
    // A charged room stays on the list.
    Reply remove = Call("DELETE", "/roomInfos/" + std::to_string(room));
    EXPECT_EQ(remove.status, 409) << remove.Describe();
}

// No overbooking: twenty users race for the same room and nights — one wins and pays, the
// others are refused before any payment; the check-out day is free for the next guest.
TEST_F(HotelE2E, TwentyConcurrentRequestsForTheSameNightsBookTheRoomOnce) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    int64_t payments_before = PaymentCount();
    ASSERT_GE(payments_before, 0);

    std::vector<Reply> replies(20);
    http_.RunConcurrently(20, [&](int i) -> Awaitable<void> {
        replies[i] = co_await http_.Send(gateway(), "POST", "/reservations",
                                         ReservationBody(room, "race" + std::to_string(i), "2030-02-01", "2030-02-04"));
    });
    std::map<int, int> by_status;
    int64_t winner = -1;
    for (const Reply& r : replies) {
        ++by_status[r.status];
        if (r.status == 201) {
            winner = AsInt(r.Json().as_object().at("id"));
        } else {
            EXPECT_EQ(r.status, 409) << r.Describe();
            EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
        }
    }
    EXPECT_EQ(by_status[201], 1);
    EXPECT_EQ(by_status[409], 19);
    ASSERT_GT(winner, 0);
    EXPECT_EQ(PaymentCount() - payments_before, 1);
    EXPECT_EQ(PaymentsOf(winner).size(), 1u);
    EXPECT_EQ(RowsWhere("/reservations", "roomId", std::to_string(room)).size(), 1u);

    // Half-open stays: arriving on the check-out day, or leaving on the check-in day, is fine.
    EXPECT_GT(Reserve(room, "next", "2030-02-04", "2030-02-06"), 0);
    EXPECT_GT(Reserve(room, "before", "2030-01-30", "2030-02-01"), 0);
    Reply overlap = Call("POST", "/reservations", ReservationBody(room, "late", "2030-02-03", "2030-02-05"));
    EXPECT_EQ(overlap.status, 409) << overlap.Describe();
    EXPECT_EQ(PaymentCount() - payments_before, 3);
}

// Payment down: 503 fast with Retry-After, nothing stored, no payment left behind, and the
// dates are not held — once payment is back, they can be booked.
TEST_F(HotelE2E, PaymentStoppedAnswers503FastAndLeavesNothingBehind) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    int64_t payments_before = PaymentCount();
    int64_t reservations_before = TotalElements("/reservations");

    StopService("payment");
    for (int i = 0; i < 3; ++i) {
        Reply r = Call("POST", "/reservations", ReservationBody(room, "down", "2030-03-01", "2030-03-03"));
        ExpectUnavailable(r, "POST while payment is stopped");
        EXPECT_LT(r.elapsed.count(), 1000) << r.Describe();
    }
    EXPECT_EQ(TotalElements("/reservations"), reservations_before);
    StartService("payment");

    // The aborted attempts were voided at payment; the same nights are free.
    EXPECT_TRUE(Eventually([&] { return Settled("reservation", "payment"); }));
    EXPECT_EQ(PaymentCount(), payments_before);
    int64_t id = -1;
    Reply last;
    EXPECT_TRUE(Eventually([&] {
        last = Call("POST", "/reservations", ReservationBody(room, "down", "2030-03-01", "2030-03-03"));
        if (last.status == 201) id = AsInt(last.Json().as_object().at("id"));
        return last.status == 201;
    })) << last.Describe();
    EXPECT_EQ(PaymentCount(), payments_before + 1);
    auto mine = PaymentsOfUser("down");
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(AsInt(mine[0]["reservationId"]), id);
}

// Payment slow: the call times out (503), the circuit opens (fast 503), and a payment made after
// its caller gave up is voided; no completed payment lacks its reservation.
TEST_F(HotelE2E, SlowPaymentTimesOutOpensTheCircuitAndIsVoided) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    Reply faults =
        http_.Call(PortOf("payment"), "POST", "/actuator/faults", R"({"latencyMs":[700,800],"errorRate":0})");
    ASSERT_EQ(faults.status, 200) << faults.Describe();

    std::vector<Reply> slow(12);
    http_.RunConcurrently(12, [&](int i) -> Awaitable<void> {
        // Different nights: each one gets as far as the payment call.
        std::string start = "2030-04-" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
        std::string end = "2030-04-" + std::string(i + 2 < 10 ? "0" : "") + std::to_string(i + 2);
        slow[i] = co_await http_.Send(gateway(), "POST", "/reservations", ReservationBody(room, "slow", start, end));
    });
    for (const Reply& r : slow) {
        ExpectUnavailable(r, "POST with payment slow");
        EXPECT_LT(r.elapsed.count(), 1500) << r.Describe();
    }
    Reply open = Call("POST", "/reservations", ReservationBody(room, "slow", "2030-04-20", "2030-04-21"));
    ExpectUnavailable(open, "POST with the circuit open");
    EXPECT_LT(open.elapsed.count(), 200) << open.Describe();
    EXPECT_TRUE(RowsWhere("/reservations", "roomId", std::to_string(room)).empty());

    ASSERT_LT(http_.Call(PortOf("payment"), "DELETE", "/actuator/faults").status, 300);
    // Whatever payment took late is given back.
    auto voided = [&] {
        if (!Settled("reservation", "payment")) return false;
        for (auto& p : PaymentsOfUser("slow")) {
            if (AsString(p["payStatus"]) != "PayVoided") return false;
        }
        return true;
    };
    EXPECT_TRUE(Eventually(voided, 15s, 100ms));
    for (auto& p : PaymentsOfUser("slow")) EXPECT_EQ(AsString(p["payStatus"]), "PayVoided") << bj::serialize(p);

    // After the open wait the circuit lets calls through again; the nights were released.
    Reply again;
    EXPECT_TRUE(Eventually(
        [&] {
            again = Call("POST", "/reservations", ReservationBody(room, "slow-after", "2030-04-01", "2030-04-13"));
            return again.status == 201;
        },
        10s, 200ms))
        << again.Describe();
}

// The cancellation saga: CancelRequest → payment refunds → CancelCompleted → the room is free,
// and those nights can be booked again. A repeated request changes nothing.
TEST_F(HotelE2E, CancellingRefundsThePaymentAndFreesTheRoom) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    int64_t id = Reserve(room, "cancel", "2030-05-01", "2030-05-03");
    ASSERT_GT(id, 0);
    EXPECT_TRUE(Eventually([&] { return ChargeOf(id) == "Charged"; }));

    Reply patch = Call("PATCH", "/reservations/" + std::to_string(id), R"({"reservStatus":"CancelRequest"})");
    ASSERT_EQ(patch.status, 200) << patch.Describe();
    std::string answered = AsString(patch.Json().as_object()["reservStatus"]);
    EXPECT_TRUE(answered == "CancelRequest" || answered == "CancelCompleted") << answered;

    EXPECT_TRUE(Eventually([&] { return Status(id) == "CancelCompleted"; })) << Status(id);
    EXPECT_EQ(Field("/reservations/" + std::to_string(id), "payStatus"), "PayCanceled");
    auto payments = PaymentsOf(id);
    ASSERT_EQ(payments.size(), 1u);
    EXPECT_EQ(AsString(payments[0]["payStatus"]), "PayCanceled");
    EXPECT_TRUE(Eventually([&] {
        auto view = ViewOf(id);
        return view.size() == 1 && AsString(view[0]["reservStatus"]) == "CancelCompleted" &&
               AsString(view[0]["payStatus"]) == "PayCanceled";
    }));
    EXPECT_TRUE(Eventually([&] { return ChargeOf(id) == "Free"; })) << ChargeOf(id);
    EXPECT_EQ(RoomStatus(room), "Empty");

    // Once more: still canceled, nothing runs again.
    Reply repeat = Call("PATCH", "/reservations/" + std::to_string(id), R"({"reservStatus":"CancelRequest"})");
    EXPECT_EQ(repeat.status, 200) << repeat.Describe();
    EXPECT_EQ(AsString(repeat.Json().as_object()["reservStatus"]), "CancelCompleted");
    Reply back = Call("PATCH", "/reservations/" + std::to_string(id), R"({"reservStatus":"Completed"})");
    EXPECT_EQ(back.status, 409) << back.Describe();

    int64_t again = Reserve(room, "cancel-next", "2030-05-01", "2030-05-03");
    EXPECT_GT(again, 0);
    EXPECT_TRUE(Eventually([&] { return Settled("reservation", "payment") && Settled("payment", "reservation"); }));
    EXPECT_EQ(AsString(PaymentsOf(id)[0]["payStatus"]), "PayCanceled");
    EXPECT_EQ(Status(id), "CancelCompleted");
    EXPECT_TRUE(Eventually([&] { return ChargeOf(again) == "Charged"; }));
    EXPECT_EQ(RoomStatus(room), "Charged");

    // The saga's timeline, as each service recorded it under the reservation id.
    using Steps = std::vector<std::string>;
    EXPECT_EQ(SagaSteps("reservation", id), (Steps{"started", "completed", "cancel-requested", "cancel-completed"}));
    EXPECT_EQ(SagaSteps("payment", id), (Steps{"paid", "pay-canceled"}));
    EXPECT_EQ(SagaSteps("room", id), (Steps{"room-charged", "room-freed"}));
}

// A cancellation asked for while payment and room are down completes when they return.
TEST_F(HotelE2E, CancellingWhilePaymentAndRoomAreDownCompletesWhenTheyReturn) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    int64_t id = Reserve(room, "cancel-down", "2030-06-01", "2030-06-05");
    ASSERT_GT(id, 0);
    EXPECT_TRUE(Eventually([&] { return ChargeOf(id) == "Charged"; }));

    StopService("payment");
    StopService("room");
    Reply patch = Call("PATCH", "/reservations/" + std::to_string(id), R"({"reservStatus":"CancelRequest"})");
    ASSERT_EQ(patch.status, 200) << patch.Describe();
    EXPECT_EQ(AsString(patch.Json().as_object()["reservStatus"]), "CancelRequest");
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(Status(id), "CancelRequest");  // waits for the refund

    StartService("payment");
    EXPECT_TRUE(Eventually([&] { return Status(id) == "CancelCompleted"; })) << Status(id);
    EXPECT_EQ(AsString(PaymentsOf(id)[0]["payStatus"]), "PayCanceled");
    StartService("room");
    EXPECT_TRUE(Eventually([&] { return ChargeOf(id) == "Free"; })) << ChargeOf(id);
    EXPECT_EQ(RoomStatus(room), "Empty");
    EXPECT_GT(Reserve(room, "cancel-down-next", "2030-06-02", "2030-06-04"), 0);
}

// Consumers that were down receive what they missed, once: the view, room's charges, and
// reservation's own knowledge of rooms.
TEST_F(HotelE2E, StoppedConsumersCatchUpWithoutDuplicates) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    StopService("reservation-view");
    StopService("room");

    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        std::string day = std::to_string(10 + 2 * i);
        ids.push_back(Reserve(room, "catchup", "2030-07-" + day, "2030-07-" + std::to_string(11 + 2 * i)));
        ASSERT_GT(ids.back(), 0);
    }
    Reply patch = Call("PATCH", "/reservations/" + std::to_string(ids[0]), R"({"reservStatus":"CancelRequest"})");
    ASSERT_EQ(patch.status, 200) << patch.Describe();
    EXPECT_TRUE(Eventually([&] { return Status(ids[0]) == "CancelCompleted"; }));

    StartService("reservation-view");
    StartService("room");
    EXPECT_TRUE(Eventually([&] {
        return Settled("reservation", "reservation-view") && Settled("payment", "reservation-view") &&
               Settled("reservation", "room");
    }));
    auto rows = ListAll("/reservationViews/search/findByUserId?userId=catchup", "reservationViews");
    ASSERT_EQ(rows.size(), 3u);
    std::set<int64_t> seen;
    for (auto& row : rows) {
        int64_t id = AsInt(row["reservationId"]);
        seen.insert(id);
        EXPECT_EQ(AsString(row["reservStatus"]), id == ids[0] ? "CancelCompleted" : "Completed");
        EXPECT_EQ(AsString(row["payStatus"]), id == ids[0] ? "PayCanceled" : "PayCompleted");
    }
    EXPECT_EQ(seen, std::set<int64_t>(ids.begin(), ids.end()));
    auto charges = RowsWhere("/roomCharges", "roomId", std::to_string(room));
    EXPECT_EQ(charges.size(), 3u);
    for (int64_t id : ids) EXPECT_EQ(ChargeOf(id), id == ids[0] ? "Free" : "Charged");
    EXPECT_EQ(RoomStatus(room), "Charged");

    // reservation catches up on rooms registered while it was down.
    StopService("reservation");
    Reply registered = Call("POST", "/roomInfos",
                            bj::serialize(bj::object{{"roomNo", RoomNo()}, {"roomSize", "Twin"}, {"price", 70'000}}));
    ASSERT_EQ(registered.status, 201) << registered.Describe();
    int64_t late_room = AsInt(registered.Json().as_object().at("id"));
    StartService("reservation");
    EXPECT_TRUE(Eventually([&] { return Settled("room", "reservation"); }));
    Reply late = Call("POST", "/reservations", ReservationBody(late_room, "catchup", "2030-07-01", "2030-07-03"));
    ASSERT_EQ(late.status, 201) << late.Describe();
    EXPECT_EQ(AsInt(late.Json().as_object()["amount"]), 140'000);
}

// Bad input is refused with problem+json 4xx and changes nothing; internal endpoints stay internal.
TEST_F(HotelE2E, BadInputIsRefusedAndChangesNothing) {
    int64_t room = RegisterRoom();
    ASSERT_GT(room, 0);
    int64_t booked = Reserve(room, "bad", "2030-08-01", "2030-08-03");
    ASSERT_GT(booked, 0);
    int64_t reservations_before = TotalElements("/reservations");
    int64_t rooms_before = TotalElements("/roomInfos");
    int64_t payments_before = PaymentCount();

    std::string good = ReservationBody(room, "bad", "2030-08-10", "2030-08-12");
    auto with = [&](const std::string& key, bj::value value) { return JsonWith(good, key, std::move(value)); };
    auto without = [&](const std::string& key) { return JsonWithout(good, key); };
    std::string id = std::to_string(booked);
    struct Case {
        std::string method, path, body;
        int status;
    };
    std::vector<Case> cases = {
        {"POST", "/reservations", "{", 400},
        {"POST", "/reservations", "[1,2]", 400},
        {"POST", "/reservations", "", 400},
        {"POST", "/reservations", without("roomId"), 400},
        {"POST", "/reservations", with("roomId", "abc"), 400},
        {"POST", "/reservations", with("roomId", 0), 400},
        {"POST", "/reservations", with("roomId", -3), 400},
        {"POST", "/reservations", with("roomId", 1e30), 400},
        {"POST", "/reservations", with("roomId", 99999999), 404},
        {"POST", "/reservations", without("userId"), 400},
        {"POST", "/reservations", with("userId", "   "), 400},
        {"POST", "/reservations", with("peopleQty", 0), 400},
        {"POST", "/reservations", with("peopleQty", "many"), 400},
        {"POST", "/reservations", without("payMethod"), 400},
        {"POST", "/reservations", with("reservEndDate", "2030-08-10"), 400},  // end = start
        {"POST", "/reservations", with("reservEndDate", "2030-08-09"), 400},  // end < start
        {"POST", "/reservations", with("reservEndDate", "2031-08-12"), 400},  // longer than a year
        {"POST", "/reservations", with("reservStartDate", "2030-02-30"), 400},
        {"POST", "/reservations", with("reservStartDate", "tomorrow"), 400},
        {"POST", "/reservations", without("reservEndDate"), 400},
        {"POST", "/reservations", with("reservEndDate", 20300812), 400},
        {"PATCH", "/reservations/" + id, R"({"reservStatus":"Approved"})", 400},
        {"PATCH", "/reservations/" + id, R"({"reservStatus":"CancelCompleted"})", 409},
        {"PATCH", "/reservations/" + id, R"({"reservStatus":7})", 400},
        {"PATCH", "/reservations/" + id, "[]", 400},
        {"PATCH", "/reservations/99999999", R"({"reservStatus":"CancelRequest"})", 404},
        {"PATCH", "/reservations/abc", R"({"reservStatus":"CancelRequest"})", 404},
        {"PUT", "/reservations/" + id, good, 405},
        {"DELETE", "/reservations/" + id, "", 405},
        {"GET", "/reservations/abc", "", 404},
        {"GET", "/reservations/99999999", "", 404},
        {"POST", "/roomInfos", R"({"roomSize":"Deluxe","price":1})", 400},
        {"POST", "/roomInfos", R"({"roomNo":"X1","roomSize":"Deluxe","price":-1})", 400},
        {"POST", "/roomInfos", R"({"roomNo":"X1","roomSize":"Deluxe","price":"cheap"})", 400},
        {"POST", "/roomInfos", R"({"roomNo":"X1","roomSize":"Deluxe","price":0})", 400},
        {"POST", "/roomInfos", R"({"roomNo":"123456789012345678901","roomSize":"Deluxe","price":1})", 400},
        {"PATCH", "/roomInfos/" + std::to_string(room), R"({"price":0})", 400},
        {"DELETE", "/roomInfos/" + std::to_string(room), "", 409},
        {"POST", "/payments", R"({"reservationId":424242,"userId":"x","amount":1,"payMethod":"card"})", 404},
        {"PATCH", "/payments/1", R"({"payStatus":"PayCanceled"})", 405},
    };
    for (const auto& c : cases) {
        Reply r = Call(c.method, c.path, c.body);
        EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body << " → " << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << c.method << " " << c.path << " " << c.body;
        EXPECT_NE(r.status, 500);
    }
    // Paying is internal; reading payments is not.
    EXPECT_EQ(Call("GET", "/payments").status, 200);
    std::string dup_no = Field("/roomInfos/" + std::to_string(room), "roomNo");
    Reply dup =
        Call("POST", "/roomInfos", bj::serialize(bj::object{{"roomNo", dup_no}, {"roomSize", "S"}, {"price", 1}}));
    EXPECT_EQ(dup.status, 409) << dup.Describe();

    EXPECT_EQ(TotalElements("/reservations"), reservations_before);
    EXPECT_EQ(TotalElements("/roomInfos"), rooms_before);
    EXPECT_EQ(PaymentCount(), payments_before);
    EXPECT_EQ(Status(booked), "Completed");
    EXPECT_EQ(Field("/roomInfos/" + std::to_string(room), "price"), std::to_string(kPrice));
}

// The seed's siege request, as it is: numbers as strings and fields that are the service's to set
// (roomNo, reservStatus, payCompletedYn, amount...) are accepted and ignored; the amount is the
// room's price for the two nights.
TEST_F(HotelE2E, TheSeedsSiegeBodyIsAccepted) {
    // The seed books room "101": make sure room 101 exists.
    int64_t last = 0;
    while (last < 101) {
        last = RegisterRoom();
        ASSERT_GT(last, 0);
    }
    const std::string siege =
        R"({"roomId": "101",  "roomNo": "101", "reservStatus" : "Approved", "roomStatus":"Empty", )"
        R"("createRoomDate":"2019-01-01" , "payCompletedYn":"false", "userId":"0001",    "reservDate" : "2021-09-30" , )"
        R"("userName" : "YANG" ,"peopleQty" : "3", "payDate": "2021-09-30", "amount": "200000", "payMethod":"card" , )"
        R"("reservStartDate":"2021-11-01" ,"reservEndDate": "2021-11-03"})";
    Reply r = Call("POST", "/reservations", siege);
    ASSERT_EQ(r.status, 201) << r.Describe();
    bj::object created = r.Json().as_object();
    int64_t price = AsInt(Get("/roomInfos/101")["price"]);
    EXPECT_EQ(AsInt(created["roomId"]), 101);
    EXPECT_EQ(AsString(created["userId"]), "0001");
    EXPECT_EQ(AsString(created["userName"]), "YANG");
    EXPECT_EQ(AsInt(created["peopleQty"]), 3);
    EXPECT_EQ(AsString(created["reservStatus"]), "Completed");
    EXPECT_EQ(AsInt(created["amount"]), 2 * price);
    EXPECT_EQ(AsString(created["payStatus"]), "PayCompleted");

    // siege repeats it: the same nights are taken now.
    Reply again = Call("POST", "/reservations", siege);
    EXPECT_EQ(again.status, 409) << again.Describe();
}

}  // namespace
}  // namespace reservo::e2e
