#include "tests/e2e/vaccine_helpers.hpp"

#include <set>

namespace reservo::e2e {

std::string ReservationBody(int64_t user, int64_t lot) {
    return "{\"userId\":" + std::to_string(user) + ",\"vaccineId\":" + std::to_string(lot) + "}";
}

int64_t VaccineTest::CreateLot(const std::string& hospital, int64_t qty) {
    bj::object lot{{"vaccineType", "pfizer"}, {"hospital", hospital}, {"availableDate", "2026-12-01"}, {"qty", qty}};
    Reply r = Call("POST", "/vaccineMgmts", bj::serialize(lot));
    EXPECT_EQ(r.status, 201) << r.Describe();
    bj::value v = r.Json();
    if (r.status != 201 || !v.is_object() || !v.as_object().contains("id")) return -1;
    return AsInt(v.as_object().at("id"));
}

int64_t VaccineTest::LotQty(int64_t lot) {
    Reply r = Call("GET", "/vaccineMgmts/" + std::to_string(lot));
    bj::value v = r.Json();
    if (r.status != 200 || !v.is_object() || !v.as_object().contains("qty")) return -1;
    return AsInt(v.as_object().at("qty"));
}

std::vector<bj::object> VaccineTest::ReservationsOfLot(int64_t lot) {
    return RowsWhere("/reservations", "vaccineId", std::to_string(lot));
}

std::vector<bj::object> VaccineTest::MyPageRows(const std::string& hospital) {
    return RowsWhere("/myPages", "hospital", hospital);
}

std::vector<bj::object> VaccineTest::NotificationsFor(const std::vector<int64_t>& reservation_ids) {
    std::set<std::string> ids;
    for (int64_t id : reservation_ids) ids.insert(std::to_string(id));
    std::vector<bj::object> out;
    for (auto& row : ListAll("/notifications")) {
        std::string type = AsString(row["eventType"]);
        if (type == "VaccineRegistered") continue;  // its correlationId is a lot id
        if (ids.contains(AsString(row["correlationId"]))) out.push_back(std::move(row));
    }
    return out;
}

void VaccineTest::ExpectDosesMatchReservations(int64_t lot, int64_t initial_qty) {
    auto reserved_of = [&] {
        int64_t reserved = 0;
        for (auto& r : ReservationsOfLot(lot)) reserved += AsString(r["reservationStatus"]) == "reserved";
        return reserved;
    };
    auto balanced = [&] {
        if (!ConsumerCaughtUp("vaccine-mgmt")) return false;
        int64_t qty = LotQty(lot);
        return qty >= 0 && initial_qty - qty == reserved_of();
    };
    EXPECT_TRUE(Eventually(balanced, Millis(15000), Millis(100)));
    int64_t qty = LotQty(lot);
    EXPECT_EQ(initial_qty - qty, reserved_of()) << "lot " << lot << " qty " << qty;
    EXPECT_GE(qty, 0);
}

void VaccineTest::ExpectEveryReservationOnceDownstream(const std::string& hospital, const std::set<int64_t>& ids) {
    const std::vector<int64_t> list(ids.begin(), ids.end());
    EXPECT_TRUE(Eventually(
        [&] {
            return ConsumerCaughtUp("mypage") && ConsumerCaughtUp("notification") &&
                   MyPageRows(hospital).size() >= list.size() && NotificationsFor(list).size() >= list.size();
        },
        Millis(20000), Millis(100)));
    std::multiset<int64_t> rows;
    for (auto& row : MyPageRows(hospital)) rows.insert(AsInt(row["reservationId"]));
    EXPECT_EQ(rows, std::multiset<int64_t>(ids.begin(), ids.end())) << "one view row per reservation";
    std::multiset<std::string> reserved, want;
    for (auto& n : NotificationsFor(list)) {
        EXPECT_EQ(AsString(n["eventType"]), "VaccineReserved");
        reserved.insert(AsString(n["correlationId"]));
    }
    for (int64_t id : ids) want.insert(std::to_string(id));
    EXPECT_EQ(reserved, want) << "one VaccineReserved notification per reservation";
}

int64_t VaccineTest::ReserveWhenServing(int64_t user, int64_t lot) {
    Reply again;
    const bool served = Eventually([&] {
        again = Call("POST", "/reservations", ReservationBody(user, lot));
        return again.status == 201;
    });
    EXPECT_TRUE(served) << again.Describe();
    return served ? AsInt(again.Json().as_object()["id"]) : -1;
}

}  // namespace reservo::e2e
