// End-to-end consistency of the vaccine system (issue #2): no overbooking under concurrency,
// consumers that were down catch up without duplicates, replicas split the partitions, and
// bad input is refused without changing state.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

// At debug, so that a consumer writes one line per event it applies (the trace test reads them).
class ConsistencyE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() {
        SystemOptions options = VaccineSystem();
        options.env = {{"RESERVO_LOG_LEVEL", "debug"}};
        StartSystem(options);
    }
};

// NFR: the dose count holds under concurrency — 100 users race for 20 doses.
TEST_F(ConsistencyE2E, HundredConcurrentReservationsTakeExactlyTheTwentyDoses) {
    std::string hospital = UniqueName("race");
    int64_t lot = CreateLot(hospital, 20);
    ASSERT_GT(lot, 0);
    int64_t total_before = TotalElements("/reservations");

    std::vector<Reply> replies(100);
    http_.RunConcurrently(100, [&](int i) -> Awaitable<void> {
        replies[i] = co_await http_.Send(gateway(), "POST", "/reservations", ReservationBody(1000 + i, lot));
    });
    std::map<int, int> by_status;
    std::set<int64_t> ids;
    for (const Reply& r : replies) {
        ++by_status[r.status];
        if (r.status == 201)
            ids.insert(AsInt(r.Json().as_object().at("id")));
        else
            EXPECT_EQ(r.status, 409) << r.Describe();
    }
    EXPECT_EQ(by_status[201], 20);
    EXPECT_EQ(by_status[409], 80);
    EXPECT_EQ(ids.size(), 20u);
    EXPECT_EQ(LotQty(lot), 0);
    EXPECT_EQ(TotalElements("/reservations") - total_before, 20);
    auto stored = ReservationsOfLot(lot);
    EXPECT_EQ(stored.size(), 20u);
    for (auto& r : stored) EXPECT_EQ(AsString(r["reservationStatus"]), "reserved");

    std::vector<bj::object> rows;
    EXPECT_TRUE(Eventually([&] {
        rows = MyPageRows(hospital);
        return rows.size() >= 20 && ConsumerCaughtUp("mypage");
    })) << "mypage rows: "
        << rows.size();
    rows = MyPageRows(hospital);
    std::set<int64_t> row_ids;
    for (auto& row : rows) row_ids.insert(AsInt(row["reservationId"]));
    EXPECT_EQ(rows.size(), 20u);
    EXPECT_EQ(row_ids, ids);
}

// NFR: consumers that were down receive what they missed, exactly once.
// "No such lot" and "sold out" are different answers: a user told the second can try another day.
TEST_F(ConsistencyE2E, NoLotAtAllReadsDifferentlyFromLotsThatRanOut) {
    std::string hospital = UniqueName("no-lot");
    auto by_place = [&](const std::string& type) {
        bj::object body{{"userId", 5}, {"hospital", hospital}, {"reservedDate", "2026-12-01"}, {"vaccineType", type}};
        return Call("POST", "/reservations", bj::serialize(body));
    };
    Reply none = by_place("pfizer");
    ASSERT_EQ(none.status, 409) << none.Describe();
    EXPECT_EQ(AsString(none.Json().as_object()["detail"]), "no lot of pfizer at " + hospital + " on 2026-12-01");

    int64_t lot = CreateLot(hospital, 1);
    ASSERT_GT(lot, 0);
    ASSERT_EQ(by_place("pfizer").status, 201);
    Reply sold_out = by_place("pfizer");
    ASSERT_EQ(sold_out.status, 409) << sold_out.Describe();
    EXPECT_EQ(AsString(sold_out.Json().as_object()["detail"]), "no doses left in vaccine lot " + std::to_string(lot));
    Reply other_type = by_place("moderna");
    ASSERT_EQ(other_type.status, 409) << other_type.Describe();
    EXPECT_EQ(AsString(other_type.Json().as_object()["detail"]), "no lot of moderna at " + hospital + " on 2026-12-01");
    EXPECT_EQ(ReservationsOfLot(lot).size(), 1u);
}

TEST_F(ConsistencyE2E, StoppedConsumersCatchUpWithoutDuplicates) {
    StopService("notification");
    StopService("mypage");

    std::string hospital = UniqueName("catchup");
    int64_t lot = CreateLot(hospital, 10);
    ASSERT_GT(lot, 0);
    std::vector<int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        Reply r = Call("POST", "/reservations", ReservationBody(2000 + i, lot));
        ASSERT_EQ(r.status, 201) << r.Describe();
        ids.push_back(AsInt(r.Json().as_object().at("id")));
    }
    Reply patch = Call("PATCH", "/reservations/" + std::to_string(ids[0]), R"({"reservationStatus":"cancelled"})");
    EXPECT_EQ(patch.status, 200) << patch.Describe();
    Reply del = Call("DELETE", "/reservations/" + std::to_string(ids[1]));
    EXPECT_EQ(del.status, 204) << del.Describe();
    std::set<int64_t> cancelled{ids[0], ids[1]};

    StartService("notification");
    StartService("mypage");

    auto settled = [&] {
        if (!ConsumerCaughtUp("mypage") || !ConsumerCaughtUp("notification")) return false;
        auto rows = MyPageRows(hospital);
        int n_cancelled = 0;
        for (auto& row : rows) n_cancelled += AsString(row["reservationStatus"]) == "cancelled";
        return rows.size() >= 5 && n_cancelled >= 2 && NotificationsFor(ids).size() >= 7;
    };
    EXPECT_TRUE(Eventually(settled));

    auto rows = MyPageRows(hospital);
    EXPECT_EQ(rows.size(), 5u);
    std::set<int64_t> row_ids;
    for (auto& row : rows) {
        int64_t id = AsInt(row["reservationId"]);
        row_ids.insert(id);
        EXPECT_EQ(AsString(row["reservationStatus"]), cancelled.contains(id) ? "cancelled" : "reserved")
            << "reservation " << id;
    }
    EXPECT_EQ(row_ids, std::set<int64_t>(ids.begin(), ids.end()));

    std::map<std::string, std::multiset<std::string>> by_type;
    for (auto& n : NotificationsFor(ids)) by_type[AsString(n["eventType"])].insert(AsString(n["correlationId"]));
    std::multiset<std::string> want_reserved, want_cancelled;
    for (int64_t id : ids) want_reserved.insert(std::to_string(id));
    for (int64_t id : cancelled) want_cancelled.insert(std::to_string(id));
    EXPECT_EQ(by_type["VaccineReserved"], want_reserved);
    EXPECT_EQ(by_type["ReservationCancelled"], want_cancelled);
    EXPECT_EQ(by_type.size(), 2u) << "unexpected notification types";
    // The lot's own notice arrived once too.
    int registered = 0;
    for (auto& n : ListAll("/notifications", "notifications")) {
        registered +=
            AsString(n["eventType"]) == "VaccineRegistered" && AsString(n["correlationId"]) == std::to_string(lot);
    }
    EXPECT_EQ(registered, 1);
    EXPECT_EQ(LotQty(lot), 10 - 5 + 2);
}

// One replica's view, read over one connection: its pid (from /actuator/info) and its metrics.
struct ReplicaView {
    int64_t pid = -1;
    std::string metrics;
};

// NFR: replicas of a consumer split the partitions with no duplicate effects.
TEST_F(ConsistencyE2E, TwoMyPageReplicasSplitPartitionsWithoutDuplicates) {
    ScaleService("mypage", 2);
    bj::object status = system().ServiceStatus("mypage");
    EXPECT_EQ(AsInt(status["replicas"]), 2) << bj::serialize(status);
    EXPECT_EQ(AsInt(status["ready"]), 2) << bj::serialize(status);
    std::vector<pid_t> pids = system().Pids("mypage");
    ASSERT_EQ(pids.size(), 2u) << bj::serialize(status);
    EXPECT_NE(pids[0], pids[1]);

    std::string hospital = UniqueName("replicas");
    int64_t lot = CreateLot(hospital, 40);
    ASSERT_GT(lot, 0);
    std::vector<Reply> replies(40);
    http_.RunConcurrently(40, [&](int i) -> Awaitable<void> {
        replies[i] = co_await http_.Send(gateway(), "POST", "/reservations", ReservationBody(3000 + i, lot));
    });
    std::set<int64_t> ids;
    for (const Reply& r : replies) {
        ASSERT_EQ(r.status, 201) << r.Describe();
        ids.insert(AsInt(r.Json().as_object().at("id")));
    }

    // Both replicas seen (one connection each: the shared port hands a new one to either), each
    // owning some partitions, together all, none lagging.
    std::map<int64_t, std::string> seen;
    bool split = Eventually(
        [&] {
            seen = ReplicaMetrics("mypage");
            return ReplicasSplit(seen, "mypage");
        },
        15s, 200ms);
    EXPECT_TRUE(split) << "replicas seen: " << seen.size();
    for (auto& [pid, text] : seen) {
        EXPECT_TRUE(std::find(pids.begin(), pids.end(), pid) != pids.end()) << "pid " << pid;
        EXPECT_GT(GroupMetric(text, "consumer_owned_partitions", "mypage"), 0) << "replica " << pid;
    }

    std::vector<bj::object> rows;
    EXPECT_TRUE(Eventually([&] {
        rows = MyPageRows(hospital);
        return rows.size() >= 40;
    }));
    rows = MyPageRows(hospital);
    std::multiset<int64_t> row_ids;
    for (auto& row : rows) row_ids.insert(AsInt(row["reservationId"]));
    EXPECT_EQ(rows.size(), 40u);
    EXPECT_EQ(std::set<int64_t>(row_ids.begin(), row_ids.end()), ids);
    for (int64_t id : ids) EXPECT_EQ(row_ids.count(id), 1u) << "reservation " << id;

    ScaleService("mypage", 1);
    EXPECT_EQ(system().Pids("mypage").size(), 1u);
}

// Every error answer is problem+json whose `status` is the HTTP status, and never a 5xx.
void ExpectProblem(const Reply& r, const std::string& what) {
    SCOPED_TRACE(what);
    ASSERT_NE(r.status, 0) << r.Describe();
    EXPECT_GE(r.status, 400) << r.Describe();
    EXPECT_LT(r.status, 500) << r.Describe();
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << r.Describe();
    bj::value v = r.Json();
    ASSERT_TRUE(v.is_object()) << r.Describe();
    EXPECT_EQ(AsInt(v.as_object()["status"]), r.status) << r.Describe();
    EXPECT_TRUE(v.as_object().contains("title")) << r.Describe();
}

// NFR: bad input never yields a 500 and never changes state.
TEST_F(ConsistencyE2E, BadInputIsRefusedWithProblemJsonAndChangesNothing) {
    std::string hospital = UniqueName("bad");
    int64_t lot = CreateLot(hospital, 3);
    ASSERT_GT(lot, 0);
    Reply ok = Call("POST", "/reservations", ReservationBody(4000, lot));
    ASSERT_EQ(ok.status, 201) << ok.Describe();
    std::string existing = "/reservations/" + std::to_string(AsInt(ok.Json().as_object().at("id")));
    std::string lot_path = "/vaccineMgmts/" + std::to_string(lot);
    ASSERT_TRUE(Eventually([&] { return ConsumerCaughtUp("mypage") && ConsumerCaughtUp("notification"); }));

    auto counts = [&] {
        return std::vector<int64_t>{TotalElements("/reservations"), TotalElements("/vaccineMgmts"),
                                    TotalElements("/myPages"), TotalElements("/notifications"), LotQty(lot)};
    };
    std::vector<int64_t> before = counts();

    struct Case {
        std::string method, target, body;
        int want;  // 0: any 4xx
    };
    std::string l = std::to_string(lot);
    std::vector<Case> cases = {
        {"POST", "/reservations", "{", 400},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":" + l + ",}", 400},
        {"POST", "/reservations", "not json at all", 400},
        {"POST", "/reservations", "[]", 400},
        {"POST", "/reservations", "null", 400},
        {"POST", "/reservations", "{\"userId\":\"abc\",\"vaccineId\":" + l + "}", 400},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":\"x\"}", 400},
        {"POST", "/reservations", "{\"userId\":{},\"vaccineId\":" + l + "}", 400},
        {"POST", "/reservations", "{}", 400},
        {"POST", "/reservations", "{\"userId\":1}", 400},
        {"POST", "/reservations", "{\"vaccineId\":" + l + "}", 400},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":99999999999999999999}", 400},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":1e30}", 400},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":-1}", 0},
        {"POST", "/reservations", "{\"userId\":1,\"vaccineId\":999999}", 404},
        {"POST", "/vaccineMgmts",
         "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"availableDate\":\"2026-12-01\",\"qty\":-1}", 400},
        {"POST", "/vaccineMgmts",
         "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"availableDate\":\"2026-12-01\",\"qty\":1e30}", 400},
        {"POST", "/vaccineMgmts",
         "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"availableDate\":\"2026-12-01\",\"qty\":99999999999999999999}",
         400},
        {"POST", "/vaccineMgmts",
         "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"availableDate\":\"2026-13-45\",\"qty\":1}", 400},
        {"POST", "/vaccineMgmts", "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"qty\":1}", 400},
        {"POST", "/vaccineMgmts",
         "{\"vaccineType\":\"a\",\"hospital\":\"b\",\"availableDate\":\"2026-12-01\",\"qty\":\"many\"}", 400},
        {"POST", "/vaccineMgmts", "{", 400},
        {"PATCH", existing, "{\"reservationStatus\":\"bogus\"}", 400},
        {"PATCH", existing, "{\"reservationStatus\":", 400},
        {"PATCH", existing, "[1]", 400},
        {"PATCH", "/reservations/999999", "{\"reservationStatus\":\"cancelled\"}", 404},
        {"DELETE", "/reservations/999999", "", 404},
        {"GET", "/reservations/999999", "", 404},
        {"GET", "/reservations/abc", "", 404},
        {"GET", "/reservations/99999999999999999999", "", 404},
        {"GET", "/vaccineMgmts/999999", "", 404},
        {"GET", "/myPages/999999", "", 404},
        {"GET", "/notifications/999999", "", 404},
        {"GET", "/reservations?size=abc", "", 400},
        {"GET", "/reservations?page=-1", "", 400},
        // The dose-taking call is internal: the gateway does not route it, whatever the input.
        {"PUT", "/vaccineMgmts/updateVaccine?vaccineId=abc", "", 404},
        {"PUT", "/vaccineMgmts/updateVaccine?vaccineId=999999", "", 404},
        {"GET", "/../etc/passwd", "", 0},
        {"GET", "/reservations/../../etc/passwd", "", 0},
        {"GET", "/reservations/1/2/3", "", 0},
        {"GET", "/reservations/%00", "", 0},
        {"GET", "/%00", "", 0},
        {"GET", "/reservations/%zz", "", 0},
        {"POST", "/reservations/1/2/3", "{}", 0},
    };
    for (const Case& c : cases) {
        Reply r = Call(c.method, c.target, c.body);
        std::string what = c.method + " " + c.target + " " + c.body;
        ExpectProblem(r, what);
        if (c.want != 0) {
            EXPECT_EQ(r.status, c.want) << what << " → " << r.Describe();
        }
    }

    // 10 MB: over the 1 MB limit. Sent while reading, as curl does: the gateway answers as
    // soon as it has seen Content-Length.
    std::string body = "{\"userId\":\"" + std::string(10 << 20, 'a') + "\",\"vaccineId\":1}";
    Reply big = RawExchange(gateway(),
                            "POST /reservations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                            "application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
    ExpectProblem(big, "10 MB body");
    EXPECT_EQ(big.status, 413) << big.Describe();

    // Nothing changed, and everything still serves.
    EXPECT_TRUE(Eventually([&] { return ConsumerCaughtUp("mypage") && ConsumerCaughtUp("notification"); }));
    EXPECT_EQ(counts(), before);
    std::string why;
    EXPECT_TRUE(system().AllReady(&why)) << why;
    for (const std::string& service : system().services()) {
        Reply r = http_.Call(PortOf(service), "GET", "/actuator/health/readiness");
        EXPECT_EQ(r.status, 200) << service << ": " << r.Describe();
    }
    Reply after = Call("POST", "/reservations", ReservationBody(4001, lot));
    EXPECT_EQ(after.status, 201) << after.Describe();
}

// The gateway answers a path no service owns with 404 (a known path with another method is
// 405, with an Allow header) — as the router's contract says. A path with dot segments is a
// malformed target (400): it must not slip past a prefix into another resource.
// A client starts at the root and follows links: the gateway lists the system's collections.
TEST_F(ConsistencyE2E, TheGatewayIndexesTheSystemsCollectionsAndEachLinkAnswers) {
    Reply root = Call("GET", "/");
    ASSERT_EQ(root.status, 200) << root.Describe();
    EXPECT_EQ(root.Header("Content-Type"), "application/hal+json");
    bj::object links = root.Json().as_object()["_links"].as_object();
    for (const char* collection : {"vaccineMgmts", "reservations", "notifications", "myPages"}) {
        ASSERT_TRUE(links.contains(collection)) << collection << " missing from " << root.body;
        std::string href = AsString(links[collection].as_object()["href"]);
        const std::string prefix = "http://127.0.0.1:" + std::to_string(gateway());
        EXPECT_TRUE(href.starts_with(prefix)) << href;
        href = href.substr(prefix.size(), href.find('{') - prefix.size());
        Reply followed = Call("GET", href + "?size=1");
        EXPECT_EQ(followed.status, 200) << href << ": " << followed.Describe();
        EXPECT_EQ(followed.Header("Content-Type"), "application/hal+json") << href;
    }
    // Each service indexes its own collections too.
    Reply own = http_.Call(system().PortOf("vaccine-mgmt"), "GET", "/");
    ASSERT_EQ(own.status, 200) << own.Describe();
    EXPECT_TRUE(own.Json().as_object()["_links"].as_object().contains("vaccineMgmts")) << own.body;
}

// OpenAPI 3, generated from what the services declare: each its own, the gateway the system's
// (what it routes, less the service-to-service endpoints).
TEST_F(ConsistencyE2E, ApiDocumentsDescribeWhatIsServedAndTheGatewayMergesThem) {
    Reply own = http_.Call(system().PortOf("vaccine-mgmt"), "GET", "/v3/api-docs");
    ASSERT_EQ(own.status, 200) << own.Describe();
    bj::object doc = own.Json().as_object();
    EXPECT_EQ(AsString(doc["openapi"]), "3.0.3");
    bj::object& paths = doc["paths"].as_object();
    EXPECT_TRUE(paths.contains("/vaccineMgmts/updateVaccine")) << "a service documents its internal endpoints too";
    bj::object list = paths["/vaccineMgmts"].as_object()["get"].as_object();
    std::set<std::string> params;
    for (auto& p : list["parameters"].as_array()) params.insert(AsString(p.as_object()["name"]));
    EXPECT_EQ(params, (std::set<std::string>{"page", "size", "sort"}));
    bj::object finder = paths["/vaccineMgmts/search/findByHospital"].as_object()["get"].as_object();
    EXPECT_EQ(AsString(finder["parameters"].as_array()[0].as_object()["name"]), "hospital");
    bj::object lot = doc["components"].as_object()["schemas"].as_object()["VaccineMgmt"].as_object();
    EXPECT_EQ(AsString(lot["properties"].as_object()["qty"].as_object()["type"]), "integer");

    Reply merged = Call("GET", "/v3/api-docs");
    ASSERT_EQ(merged.status, 200) << merged.Describe();
    bj::object system_doc = merged.Json().as_object();
    bj::object& all = system_doc["paths"].as_object();
    for (const char* path : {"/vaccineMgmts", "/reservations/{id}", "/notifications/search/findByUserId", "/myPages"}) {
        EXPECT_TRUE(all.contains(path)) << path;
    }
    EXPECT_FALSE(all.contains("/vaccineMgmts/updateVaccine")) << "an internal endpoint is public in the merged API";
    EXPECT_TRUE(all["/reservations"].as_object().contains("post"));
    EXPECT_TRUE(system_doc["components"].as_object()["schemas"].as_object().contains("Reservation"));
    EXPECT_FALSE(system_doc["info"].as_object().contains("description")) << merged.body.substr(0, 300);
}

TEST_F(ConsistencyE2E, UnknownPathThroughTheGatewayIs404) {
    for (std::string target : {"/no-such-resource", "/vaccineMgmt", "/reservationsx/1"}) {
        Reply r = Call("GET", target);
        ExpectProblem(r, target);
        EXPECT_EQ(r.status, 404) << target << " → " << r.Describe();
    }
    for (std::string target : {"/../etc/passwd", "/reservations/../actuator/health", "/reservations/%2e%2e/x"}) {
        Reply r = Call("GET", target);
        ExpectProblem(r, target);
        EXPECT_EQ(r.status, 400) << target << " → " << r.Describe();
    }
}

// The gateway is the single entry point: it answers CORS preflights, tags every exchange with a
// request id, and forwards the client's host so the services' HAL links point back at it.
TEST_F(ConsistencyE2E, GatewayAddsRequestIdsCorsAndForwardedLinks) {
    Reply preflight = Call("OPTIONS", "/reservations");
    EXPECT_EQ(preflight.status, 204) << preflight.Describe();
    EXPECT_EQ(preflight.Header("Access-Control-Allow-Origin"), "*");
    EXPECT_NE(preflight.Header("Access-Control-Allow-Methods").find("PATCH"), std::string::npos);

    Reply list = Call("GET", "/vaccineMgmts?size=1");
    ASSERT_EQ(list.status, 200) << list.Describe();
    EXPECT_EQ(list.Header("X-Request-Id").size(), 32u) << list.Describe();
    EXPECT_EQ(list.Header("Access-Control-Allow-Origin"), "*");
    Reply again = Call("GET", "/vaccineMgmts?size=1");
    EXPECT_NE(again.Header("X-Request-Id"), list.Header("X-Request-Id"));
    std::string self(list.Json().at("_links").at("self").at("href").as_string());
    std::string gateway = ":";  // built stepwise: GCC 12 warns falsely (-Wrestrict) on a + chain here
    gateway += std::to_string(PortOf("gateway"));
    gateway += "/vaccineMgmts";
    EXPECT_NE(self.find(gateway), std::string::npos) << self;
}

// A client's W3C traceparent follows the reservation through the gateway and the synchronous
// dose call into the events it causes (the CloudEvents `traceparent` extension).
TEST_F(ConsistencyE2E, TraceparentFollowsAReservationIntoItsEvents) {
    int64_t lot = CreateLot("Trace Hospital", 2);
    ASSERT_GT(lot, 0);
    const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    http::Request req;
    req.method = "POST";
    req.target = "/reservations";
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01");
    req.body = ReservationBody(6000, lot);
    std::optional<Result<http::Response>> answer;
    boost::asio::co_spawn(
        http_.io(), [&]() -> Awaitable<void> { answer = co_await http_.ClientFor(gateway()).Send(req, Millis(10000)); },
        boost::asio::detached);
    while (!answer) http_.io().run_one_for(Millis(1000));
    http_.io().restart();
    ASSERT_TRUE(*answer) << (*answer).error().message;
    ASSERT_EQ((*answer)->status, 201) << (*answer)->body;
    std::string id = std::to_string(AsInt(bj::parse((*answer)->body).at("id")));

    // Read the event log as an operator would (tests may look; services never do).
    std::vector<bj::object> events;
    ASSERT_TRUE(Eventually([&] { return !(events = system().Events("VaccineReserved", id)).empty(); }));
    bj::object& event = events.front();
    ASSERT_TRUE(event.contains("traceparent")) << bj::serialize(event);
    std::string traceparent(event.at("traceparent").as_string());
    EXPECT_EQ(traceparent.substr(3, 32), trace_id) << bj::serialize(event);
    EXPECT_EQ(event.at("subject").as_string(), id);
    EXPECT_EQ(event.at("source").as_string(), "/vaccine/reservation");

    // The logs tell the same story: one typed access line per hop and the consumers' lines about
    // the event, all with the client's trace id.
    auto in_trace = [&](std::string_view process, std::string_view msg) {
        std::vector<bj::object> found;
        for (auto& record : system().LogRecords(process)) {
            const bj::value* t = record.if_contains("trace_id");
            if (record.at("msg").as_string() == msg && t && t->as_string() == trace_id) found.push_back(record);
        }
        return found;
    };
    auto gateway_lines = in_trace("gateway", "access");
    ASSERT_EQ(gateway_lines.size(), 1u);
    EXPECT_EQ(gateway_lines[0].at("method"), "POST");
    EXPECT_EQ(gateway_lines[0].at("path"), "/reservations");
    EXPECT_EQ(gateway_lines[0].at("upstream"), "reservation");
    EXPECT_TRUE(gateway_lines[0].at("status").is_int64()) << bj::serialize(gateway_lines[0]);
    EXPECT_EQ(gateway_lines[0].at("status"), 201);
    auto service_lines = in_trace("reservation", "access");
    ASSERT_EQ(service_lines.size(), 1u);
    const bj::object& access = service_lines[0];
    EXPECT_TRUE(access.at("status").is_int64()) << bj::serialize(access);
    EXPECT_EQ(access.at("status"), 201);
    EXPECT_EQ(access.at("route"), "/reservations");
    EXPECT_TRUE(access.at("durationMs").is_number()) << bj::serialize(access);
    EXPECT_TRUE(access.at("bytesOut").is_number()) << bj::serialize(access);
    EXPECT_EQ(access.at("requestId"), gateway_lines[0].at("requestId"));
    EXPECT_NE(access.at("span_id"), gateway_lines[0].at("span_id")) << "the service's span is its own";
    auto dose_lines = in_trace("vaccine-mgmt", "access");
    ASSERT_EQ(dose_lines.size(), 1u);
    EXPECT_EQ(dose_lines[0].at("method"), "PUT");
    EXPECT_EQ(dose_lines[0].at("path"), "/vaccineMgmts/updateVaccine");
    EXPECT_EQ(dose_lines[0].at("status"), 200);
    for (std::string_view consumer : {"notification", "mypage"}) {
        std::vector<bj::object> applied;
        EXPECT_TRUE(Eventually([&] { return !(applied = in_trace(consumer, "event applied")).empty(); })) << consumer;
        ASSERT_EQ(applied.size(), 1u) << consumer;
        EXPECT_EQ(applied[0].at("type"), "VaccineReserved");
        EXPECT_EQ(applied[0].at("subject").as_string(), id);
        EXPECT_EQ(applied[0].at("eventId"), event.at("id"));
    }
}

// Methods come from clients, so they must not mint new metric series: unknown ones share "OTHER".
TEST_F(ConsistencyE2E, UnknownMethodsDoNotGrowTheMetrics) {
    for (const char* method : {"BREW", "FOO1", "FOO2"}) {
        Reply r = http_.Call(PortOf("reservation"), method, "/reservations");
        EXPECT_GE(r.status, 400) << r.Describe();
        EXPECT_LT(r.status, 500) << r.Describe();
    }
    Reply head = http_.Call(PortOf("reservation"), "HEAD", "/reservations");
    EXPECT_EQ(head.status, 200) << head.Describe();
    EXPECT_TRUE(head.body.empty());
    Reply metrics = http_.Call(PortOf("reservation"), "GET", "/actuator/prometheus");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("method=\"OTHER\""), std::string::npos);
    for (const char* minted : {"BREW", "FOO1", "FOO2"}) {
        EXPECT_EQ(metrics.body.find(minted), std::string::npos) << minted;
    }
}

}  // namespace
}  // namespace reservo::e2e
