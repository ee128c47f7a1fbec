// End-to-end tests of system `animal-hospital` (seed 003) through its gateway: a reservation made
// only once diagnosis opened its medical record; changes and cancellations reaching the record,
// the notices and lookup; a treatment billed and paid; diagnosis down or slow (503 fast, nothing
// reserved, no record left open); acceptance and notice down while reservation and diagnosis keep
// working, then catching up without duplicates; bad input; the seed's own requests.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kFee = 10000;  // the seed's treatment fee

class AnimalHospitalE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "animal-hospital"}); }

    static std::string Body(const std::string& name, const std::string& date = "2030-04-30",
                            const std::string& phone = "010-1234-5678") {
        return bj::serialize(bj::object{{"reservatorName", name}, {"reservationDate", date}, {"phoneNumber", phone}});
    }

    // POST /reservations expecting 201; the reservation's id (-1 otherwise).
    int64_t Reserve(const std::string& name, const std::string& date = "2030-04-30") {
        return Create("/reservations", Body(name, date));
    }

    std::string Status(int64_t reservation) { return Field("/reservations/" + std::to_string(reservation), "status"); }

    std::vector<bj::object> RecordsOf(int64_t reservation) {
        return ListBy("medicalRecords", "reservationId", reservation);
    }
    std::vector<bj::object> BillsOf(int64_t reservation) {
        return ListBy("financialManagements", "reservationId", reservation);
    }
    std::vector<bj::object> NoticesOf(int64_t reservation) { return ListBy("notices", "reservationId", reservation); }
    std::vector<bj::object> StatsOf(int64_t reservation) {
        return ListBy("reservationStats", "reservationId", reservation);
    }
    // One field of the only row, or "rows: N".
    static std::string Only(const std::vector<bj::object>& rows, std::string_view field) {
        if (rows.size() != 1) return "rows: " + std::to_string(rows.size());
        const bj::value* v = rows[0].if_contains(field);
        return v ? AsString(*v) : "";
    }
    std::vector<std::string> NoticeStatuses(int64_t reservation) {
        std::vector<std::string> out;
        for (auto& n : NoticesOf(reservation)) out.push_back(AsString(n["reservationStatus"]));
        return out;
    }
    // Every medical record, straight from diagnosis (the list is internal).
    int64_t RecordCount() { return TotalElements(PortOf("diagnosis"), "/medicalRecords"); }
    int64_t RecordId(int64_t reservation) {
        auto rows = RecordsOf(reservation);
        return rows.size() == 1 ? AsInt(rows[0]["id"]) : -1;
    }
    Reply Treat(int64_t reservation, const std::string& treatment = "그냥 집에서 푹 쉬면 나을 것입니다.") {
        return Call("PATCH", "/medicalRecords/" + std::to_string(RecordId(reservation)),
                    bj::serialize(bj::object{{"treatment", treatment}, {"status", "treated"}}));
    }

    bool AllSettled() {
        return SystemTest::AllSettled({"reservation", "diagnosis", "acceptance"},
                                      {"diagnosis", "acceptance", "notice", "lookup"});
    }
};

// The seed's main flow: a reservation opens its medical record at once; the customer is notified
// and lookup shows it.
TEST_F(AnimalHospitalE2E, ReservingOpensTheMedicalRecordAndNotifiesTheCustomer) {
    Reply r = Call("POST", "/reservations", Body("Jackson"));
    ASSERT_EQ(r.status, 201) << r.Describe();
    EXPECT_FALSE(r.Header("Location").empty());
    bj::object created = r.Json().as_object();
    int64_t id = AsInt(created.at("id"));
    EXPECT_EQ(AsString(created["reservatorName"]), "Jackson");
    EXPECT_EQ(AsString(created["reservationDate"]), "2030-04-30");
    EXPECT_EQ(AsString(created["phoneNumber"]), "010-1234-5678");
    EXPECT_EQ(AsString(created["status"]), "reserved");
    EXPECT_EQ(Status(id), "reserved");

    // Synchronous: the record is there when the reservation is answered.
    auto records = RecordsOf(id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(AsString(records[0]["doctor"]), "Brad pitt");
    EXPECT_EQ(AsString(records[0]["status"]), "diagnosed");
    EXPECT_EQ(AsString(records[0]["reservationDate"]), "2030-04-30");

    EXPECT_TRUE(Eventually([&] { return NoticesOf(id).size() == 1; })) << NoticesOf(id).size();
    auto notices = NoticesOf(id);
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(AsString(notices[0]["reservationStatus"]), "reserved");
    EXPECT_EQ(AsString(notices[0]["phoneNumber"]), "010-1234-5678");
    EXPECT_NE(AsString(notices[0]["message"]).find("예약 되었습니다"), std::string::npos)
        << AsString(notices[0]["message"]);

    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "reservationStatus") == "reserved"; }))
        << Only(StatsOf(id), "reservationStatus");
    auto stat = StatsOf(id);
    ASSERT_EQ(stat.size(), 1u);
    EXPECT_EQ(AsString(stat[0]["reservatorName"]), "Jackson");
    EXPECT_EQ(AsString(stat[0]["diagnosisStatus"]), "diagnosed");
    EXPECT_EQ(AsString(stat[0]["paymentStatus"]), "");
    // Acceptance bills treatments only.
    EXPECT_TRUE(BillsOf(id).empty());
}

// A change and a cancellation reach the record, the notices and lookup; repeats change nothing.
TEST_F(AnimalHospitalE2E, ChangingAndCancellingReachTheRecordTheNoticesAndLookup) {
    int64_t id = Reserve("Change");
    ASSERT_GT(id, 0);
    std::string path = "/reservations/" + std::to_string(id);

    Reply patch = Call("PATCH", path, R"({"reservationDate":"2030-05-01"})");
    ASSERT_EQ(patch.status, 200) << patch.Describe();
    EXPECT_EQ(AsString(patch.Json().as_object()["status"]), "changed");
    EXPECT_EQ(AsString(patch.Json().as_object()["reservationDate"]), "2030-05-01");
    EXPECT_EQ(AsString(patch.Json().as_object()["reservatorName"]), "Change");
    // The same change again is no change: no second notice.
    Reply same = Call("PATCH", path, R"({"reservationDate":"2030-05-01"})");
    EXPECT_EQ(same.status, 200) << same.Describe();

    EXPECT_TRUE(Eventually([&] { return Only(RecordsOf(id), "reservationDate") == "2030-05-01"; }))
        << Only(RecordsOf(id), "reservationDate");
    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "reservationStatus") == "changed"; }));
    EXPECT_EQ(Only(StatsOf(id), "reservationDate"), "2030-05-01");

    Reply del = Call("DELETE", path);
    ASSERT_EQ(del.status, 204) << del.Describe();
    EXPECT_EQ(Status(id), "canceled");
    Reply again = Call("DELETE", path);
    EXPECT_EQ(again.status, 204) << again.Describe();
    Reply late = Call("PATCH", path, R"({"phoneNumber":"010-0000-0000"})");
    EXPECT_EQ(late.status, 409) << late.Describe();
    EXPECT_EQ(late.Header("Content-Type"), "application/problem+json");

    EXPECT_TRUE(Eventually([&] { return Only(RecordsOf(id), "status") == "canceled"; }))
        << Only(RecordsOf(id), "status");
    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "reservationStatus") == "canceled"; }));
    EXPECT_EQ(Only(StatsOf(id), "diagnosisStatus"), "canceled");
    // A canceled record is not treated.
    EXPECT_EQ(Treat(id).status, 409);

    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(NoticeStatuses(id), (std::vector<std::string>{"reserved", "changed", "canceled"}));
    auto notices = NoticesOf(id);
    ASSERT_EQ(notices.size(), 3u);
    EXPECT_NE(AsString(notices[1]["message"]).find("예약 변경"), std::string::npos);
    EXPECT_NE(AsString(notices[2]["message"]).find("예약 취소"), std::string::npos);
}

// Treatment → bill → payment, with lookup showing every status together.
TEST_F(AnimalHospitalE2E, ATreatmentIsBilledPaidAndShownInLookup) {
    int64_t id = Reserve("Treat");
    ASSERT_GT(id, 0);
    Reply treated = Treat(id, "rest");
    ASSERT_EQ(treated.status, 200) << treated.Describe();
    EXPECT_EQ(AsString(treated.Json().as_object()["status"]), "treated");
    EXPECT_EQ(AsString(treated.Json().as_object()["treatment"]), "rest");
    // A repeat is answered as it is; another treatment is refused.
    EXPECT_EQ(Treat(id, "rest").status, 200);
    EXPECT_EQ(Treat(id, "surgery").status, 409);

    EXPECT_TRUE(Eventually([&] { return BillsOf(id).size() == 1; }));
    auto bills = BillsOf(id);
    ASSERT_EQ(bills.size(), 1u);
    EXPECT_EQ(AsInt(bills[0]["fee"]), kFee);
    EXPECT_EQ(AsString(bills[0]["status"]), "billed");
    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "paymentStatus") == "billed"; }));
    EXPECT_EQ(Only(StatsOf(id), "diagnosisStatus"), "treated");
    EXPECT_EQ(Only(StatsOf(id), "treatment"), "rest");

    std::string bill = "/financialManagements/" + std::to_string(AsInt(bills[0]["id"]));
    Reply paid = Call("PATCH", bill, R"({"status":"paid"})");
    ASSERT_EQ(paid.status, 200) << paid.Describe();
    EXPECT_EQ(AsString(paid.Json().as_object()["status"]), "paid");
    EXPECT_EQ(Call("PATCH", bill, R"({"status":"paid"})").status, 200);
    EXPECT_EQ(Call("PATCH", bill, R"({"status":"billed"})").status, 409);
    EXPECT_EQ(Call("PATCH", bill, R"({"status":"refunded"})").status, 400);

    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "paymentStatus") == "paid"; }))
        << Only(StatsOf(id), "paymentStatus");
    auto stat = StatsOf(id);
    ASSERT_EQ(stat.size(), 1u);
    EXPECT_EQ(AsString(stat[0]["reservationStatus"]), "reserved");
    EXPECT_EQ(AsString(stat[0]["diagnosisStatus"]), "treated");
    EXPECT_EQ(AsString(stat[0]["doctor"]), "Brad pitt");
    EXPECT_EQ(AsInt(stat[0]["fee"]), kFee);

    // Canceling after the care keeps the treatment and its bill.
    ASSERT_EQ(Call("DELETE", "/reservations/" + std::to_string(id)).status, 204);
    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(id), "reservationStatus") == "canceled"; }));
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(Only(RecordsOf(id), "status"), "treated");
    EXPECT_EQ(Only(StatsOf(id), "diagnosisStatus"), "treated");
    EXPECT_EQ(BillsOf(id).size(), 1u);
}

// NFR "no diagnosis available → no reservation": diagnosis stopped → 503 fast, nothing stored.
TEST_F(AnimalHospitalE2E, DiagnosisStoppedAnswers503FastAndNothingIsReserved) {
    int64_t reservations_before = TotalElements("/reservations");
    int64_t records_before = RecordCount();
    ASSERT_GE(records_before, 0);

    StopService("diagnosis");
    for (int i = 0; i < 3; ++i) {
        Reply r = Call("POST", "/reservations", Body("Down"));
        ExpectUnavailable(r, "POST while diagnosis is stopped");
        EXPECT_LT(r.elapsed.count(), 1000) << r.Describe();
    }
    EXPECT_EQ(TotalElements("/reservations"), reservations_before);
    EXPECT_TRUE(RowsWhere("/reservations", "reservatorName", "Down").empty());
    StartService("diagnosis");

    int64_t id = -1;
    Reply last;
    EXPECT_TRUE(Eventually(
        [&] {
            last = Call("POST", "/reservations", Body("Down"));
            if (last.status == 201) id = AsInt(last.Json().as_object().at("id"));
            return last.status == 201;
        },
        10s, 200ms))
        << last.Describe();
    EXPECT_EQ(RowsWhere("/reservations", "reservatorName", "Down").size(), 1u);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(RecordCount(), records_before + 1);
    EXPECT_EQ(RecordsOf(id).size(), 1u);
}

// The seed's Hystrix experiment: diagnosis slow (400–620 ms and more) → the call times out (503),
// the circuit opens (fast 503); a record opened after its caller gave up is canceled, and
// reservations work again once diagnosis is fast.
TEST_F(AnimalHospitalE2E, SlowDiagnosisTimesOutOpensTheCircuitAndLeavesNoOpenRecord) {
    Reply faults =
        http_.Call(PortOf("diagnosis"), "POST", "/actuator/faults", R"({"latencyMs":[700,800],"errorRate":0})");
    ASSERT_EQ(faults.status, 200) << faults.Describe();
    std::vector<Reply> slow(12);
    http_.RunConcurrently(12, [&](int i) -> Awaitable<void> {
        slow[i] = co_await http_.Send(gateway(), "POST", "/reservations",
                                      Body("Slow", std::string("2030-06-0") + std::to_string(i % 9 + 1)));
    });
    for (const Reply& r : slow) {
        ExpectUnavailable(r, "POST with diagnosis slow");
        EXPECT_LT(r.elapsed.count(), 1500) << r.Describe();
    }
    Reply open = Call("POST", "/reservations", Body("Slow"));
    ExpectUnavailable(open, "POST with the circuit open");
    EXPECT_LT(open.elapsed.count(), 200) << open.Describe();
    EXPECT_TRUE(RowsWhere("/reservations", "reservatorName", "Slow").empty());
    ASSERT_LT(http_.Call(PortOf("diagnosis"), "DELETE", "/actuator/faults").status, 300);

    // Every record is its stored reservation's, or canceled.
    auto orphans = [&]() -> std::vector<std::string> {
        std::vector<std::string> out;
        auto records = TryListAll(PortOf("diagnosis"), "/medicalRecords", "medicalRecords");
        if (!records) return {"diagnosis did not answer"};
        for (auto& rec : *records) {
            if (AsString(rec["status"]) == "canceled") continue;
            if (Call("GET", "/reservations/" + std::to_string(AsInt(rec["reservationId"]))).status != 200)
                out.push_back(bj::serialize(rec));
        }
        return out;
    };
    EXPECT_TRUE(Eventually([&] { return AllSettled() && orphans().empty(); }, 15s, 200ms));
    for (const auto& o : orphans()) ADD_FAILURE() << "a record without its reservation: " << o;

    Reply again;
    EXPECT_TRUE(Eventually(
        [&] {
            again = Call("POST", "/reservations", Body("Slow-after"));
            return again.status == 201;
        },
        10s, 200ms))
        << again.Describe();
}

// NFR: notice and acceptance down — reservation and diagnosis work; both catch up when they return,
// each event applied once.
TEST_F(AnimalHospitalE2E, AcceptanceAndNoticeDownDoNotStopTheCoreAndCatchUpWithoutDuplicates) {
    StopService("acceptance");
    StopService("notice");
    std::vector<int64_t> ids;
    for (int i = 0; i < 4; ++i) {
        int64_t id = Reserve("Isolated");
        ASSERT_GT(id, 0);
        ids.push_back(id);
    }
    ASSERT_EQ(Treat(ids[0]).status, 200);
    ASSERT_EQ(Treat(ids[1]).status, 200);
    ASSERT_EQ(Call("PATCH", "/reservations/" + std::to_string(ids[2]), R"({"reservationDate":"2030-07-07"})").status,
              200);
    ASSERT_EQ(Call("DELETE", "/reservations/" + std::to_string(ids[3])).status, 204);
    // Diagnosis followed without them.
    EXPECT_TRUE(Eventually([&] { return Only(RecordsOf(ids[2]), "reservationDate") == "2030-07-07"; }));
    EXPECT_TRUE(Eventually([&] { return Only(RecordsOf(ids[3]), "status") == "canceled"; }));

    StartService("acceptance");
    StartService("notice");
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }, 20s));
    EXPECT_EQ(BillsOf(ids[0]).size(), 1u);
    EXPECT_EQ(BillsOf(ids[1]).size(), 1u);
    EXPECT_TRUE(BillsOf(ids[2]).empty());
    EXPECT_TRUE(BillsOf(ids[3]).empty());
    EXPECT_EQ(NoticeStatuses(ids[0]), (std::vector<std::string>{"reserved"}));
    EXPECT_EQ(NoticeStatuses(ids[2]), (std::vector<std::string>{"reserved", "changed"}));
    EXPECT_EQ(NoticeStatuses(ids[3]), (std::vector<std::string>{"reserved", "canceled"}));
    EXPECT_TRUE(Eventually([&] { return Only(StatsOf(ids[0]), "paymentStatus") == "billed"; }));
    EXPECT_EQ(Only(StatsOf(ids[3]), "reservationStatus"), "canceled");

    // Restarted once more: nothing is applied twice.
    RestartService("notice");
    RestartService("acceptance");
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }, 20s));
    EXPECT_EQ(NoticesOf(ids[2]).size(), 2u);
    EXPECT_EQ(BillsOf(ids[0]).size(), 1u);
}

// A retry with the same Idempotency-Key is answered the first outcome and reserves once.
TEST_F(AnimalHospitalE2E, ARetryWithTheSameIdempotencyKeyReservesOnce) {
    std::string key = UniqueName("key");
    auto post = [&] {
        http::Request req;
        req.method = "POST";
        req.target = "/reservations";
        req.headers.Set("Content-Type", "application/json");
        req.headers.Set("Idempotency-Key", key);
        // A request the test builds carries the suite's bearer itself (system_fixture.hpp).
        if (!DefaultBearer().empty()) req.headers.Set("Authorization", "Bearer " + DefaultBearer());
        req.body = Body("Retry");
        return http_.Call(gateway(), std::move(req));
    };
    Reply first = post();
    ASSERT_EQ(first.status, 201) << first.Describe();
    Reply second = post();
    EXPECT_EQ(second.status, 201) << second.Describe();
    EXPECT_EQ(AsInt(second.Json().as_object()["id"]), AsInt(first.Json().as_object()["id"]));
    EXPECT_EQ(RowsWhere("/reservations", "reservatorName", "Retry").size(), 1u);
}

// Bad input is refused with problem+json 4xx and changes nothing; internal endpoints stay internal.
TEST_F(AnimalHospitalE2E, BadInputIsRefusedAndChangesNothing) {
    int64_t booked = Reserve("Bad");
    ASSERT_GT(booked, 0);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    int64_t reservations_before = TotalElements("/reservations");
    int64_t records_before = RecordCount();

    std::string good = Body("Bad");
    auto with = [&](const std::string& key, bj::value value) { return JsonWith(good, key, std::move(value)); };
    auto without = [&](const std::string& key) { return JsonWithout(good, key); };
    std::string id = std::to_string(booked);
    std::string record = std::to_string(RecordId(booked));
    struct Case {
        std::string method, path, body;
        int status;
    };
    std::vector<Case> cases = {
        {"POST", "/reservations", "{", 400},
        {"POST", "/reservations", "[1,2]", 400},
        {"POST", "/reservations", "", 400},
        {"POST", "/reservations", without("reservatorName"), 400},
        {"POST", "/reservations", with("reservatorName", "   "), 400},
        {"POST", "/reservations", with("reservatorName", bj::object{{"first", "J"}}), 400},
        {"POST", "/reservations", without("reservationDate"), 400},
        {"POST", "/reservations", with("reservationDate", "202002"), 400},
        {"POST", "/reservations", with("reservationDate", "2030-02-30"), 400},
        {"POST", "/reservations", with("reservationDate", 20300430), 400},
        {"POST", "/reservations", without("phoneNumber"), 400},
        {"POST", "/reservations", with("phoneNumber", "call me"), 400},
        {"POST", "/reservations", with("phoneNumber", "012345678901234567890123"), 400},
        {"PATCH", "/reservations/" + id, R"({"reservationDate":"someday"})", 400},
        {"PATCH", "/reservations/" + id, R"({"reservatorName":""})", 400},
        {"PATCH", "/reservations/" + id, R"({"phoneNumber":"abc"})", 400},
        {"PATCH", "/reservations/" + id, "[]", 400},
        {"PATCH", "/reservations/99999999", R"({"reservationDate":"2030-01-01"})", 404},
        {"PATCH", "/reservations/abc", R"({"reservationDate":"2030-01-01"})", 404},
        {"DELETE", "/reservations/99999999", "", 404},
        {"DELETE", "/reservations/abc", "", 404},
        {"PUT", "/reservations/" + id, good, 405},
        {"GET", "/reservations/abc", "", 404},
        {"GET", "/reservations/99999999", "", 404},
        {"PATCH", "/medicalRecords/" + record, R"({"status":"treated"})", 400},  // no treatment
        {"PATCH", "/medicalRecords/" + record, R"({"status":"cured","treatment":"x"})", 400},
        {"PATCH", "/medicalRecords/" + record, R"({"status":"canceled"})", 409},
        {"PATCH", "/medicalRecords/" + record, R"({"doctor":" "})", 400},
        {"PATCH", "/medicalRecords/99999999", R"({"treatment":"x"})", 404},
        {"POST", "/medicalRecords", R"({"reservationId":424242,"doctor":"x"})", 404},
        {"POST", "/financialManagements", R"({"reservationId":1,"fee":1})", 405},
        {"PATCH", "/financialManagements/99999999", R"({"status":"paid"})", 404},
        {"POST", "/notices", R"({"message":"hi"})", 405},
        {"POST", "/reservationStats", R"({"reservationId":1})", 405},
    };
    for (const auto& c : cases) {
        Reply r = Call(c.method, c.path, c.body);
        EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body << " → " << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << c.method << " " << c.path << " " << c.body;
        EXPECT_NE(r.status, 500);
    }
    // Opening a record is internal; reading records is not.
    EXPECT_EQ(Call("GET", "/medicalRecords").status, 200);
    EXPECT_TRUE(Eventually([&] { return AllSettled(); }));
    EXPECT_EQ(TotalElements("/reservations"), reservations_before);
    EXPECT_EQ(RecordCount(), records_before);
    EXPECT_EQ(Status(booked), "reserved");
    EXPECT_EQ(Only(RecordsOf(booked), "status"), "diagnosed");
    EXPECT_EQ(NoticesOf(booked).size(), 1u);
    EXPECT_TRUE(BillsOf(booked).empty());
}

// The seed's requests as httpie and siege send them: strings, extra fields ignored, the seed's
// dates in the past accepted.
TEST_F(AnimalHospitalE2E, TheSeedsRequestsWork) {
    Reply httpie = Call("POST", "/reservations",
                        R"({"reservatorName":"Jackson","reservationDate":"2020-04-30","phoneNumber":"010-1234-5678"})");
    ASSERT_EQ(httpie.status, 201) << httpie.Describe();
    int64_t id = AsInt(httpie.Json().as_object()["id"]);
    Reply siege = Call("POST", "/reservations",
                       R"({"reservatorName": "Jackson", "phoneNumber": "01032713104", "reservationDate": )"
                       R"("2020-05-01T10:00:00Z", "id": "5", "status": "canceled"})");
    ASSERT_EQ(siege.status, 201) << siege.Describe();
    EXPECT_EQ(AsString(siege.Json().as_object()["reservationDate"]), "2020-05-01");
    EXPECT_EQ(AsString(siege.Json().as_object()["status"]), "reserved");
    EXPECT_NE(AsInt(siege.Json().as_object()["id"]), 5);

    std::string path = "/reservations/" + std::to_string(id);
    EXPECT_EQ(Call("PATCH", path, R"({"reservationDate":"2020-05-01"})").status, 200);
    EXPECT_EQ(Call("DELETE", path).status, 204);
    EXPECT_EQ(Call("GET", "/reservations").status, 200);
    EXPECT_EQ(Call("GET", "/reservationStats").status, 200);
    EXPECT_EQ(Call("GET", "/financialManagements").status, 200);
    EXPECT_EQ(Call("GET", "/notices").status, 200);
    EXPECT_EQ(CallService("diagnosis", "GET", "/medicalRecords").status, 200);
}

}  // namespace
}  // namespace reservo::e2e
