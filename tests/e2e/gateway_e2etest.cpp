// The gateway's own policies, on a system started with a rate limit and a trusted proxy set through
// the environment (as a Kubernetes ConfigMap would set them); and its web console (/console/,
// /console/api/*, /events) on a system whose console answers one operator address only.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "kit/messaging/sqlite_event_log.hpp"
#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

class GatewayE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() {
        SystemOptions options = VaccineSystem();
        options.env = {{"RESERVO_GATEWAY_RATE_LIMIT_REQUESTS_PER_SECOND", "20"},
                       {"RESERVO_GATEWAY_RATE_LIMIT_BURST", "20"},
                       {"RESERVO_GATEWAY_TRUSTED_PROXIES", "127.0.0.0/8"}};
        StartSystem(options);
    }
};

TEST_F(GatewayE2E, OverTheRateLimitIs429WithRetryAfterThenServesAgain) {
    int ok = 0, limited = 0;
    for (int i = 0; i < 60; ++i) {
        Reply r = Call("GET", "/vaccineMgmts?size=1");
        if (r.status == 200) ++ok;
        if (r.status == 429) {
            ++limited;
            EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
            EXPECT_FALSE(r.Header("Retry-After").empty());
            EXPECT_EQ(r.Json().at("status").as_int64(), 429);
        }
    }
    EXPECT_EQ(ok + limited, 60);
    EXPECT_GE(ok, 20);      // the burst
    EXPECT_GE(limited, 1);  // 60 requests in far less than two seconds
    // The gateway's own endpoints are not limited, and the limit refills.
    EXPECT_EQ(Call("GET", "/actuator/health/readiness").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(Call("GET", "/vaccineMgmts?size=1").status, 200);
}

// Behind a trusted proxy (a TLS-terminating ingress on 8443, say), links point where the client went.
TEST_F(GatewayE2E, LinksFollowTheTrustedProxysForwardedHostProtoAndPort) {
    auto through_proxy = [&](std::string target, std::string port) {
        http::Request req;
        req.method = "GET";
        req.target = std::move(target);
        req.headers.Set("X-Forwarded-Host", "shop.example:80");
        req.headers.Set("X-Forwarded-Proto", "https");
        req.headers.Set("X-Forwarded-Port", std::move(port));
        return http_.Call(gateway(), std::move(req));
    };
    Reply index = through_proxy("/", "8443");
    ASSERT_EQ(index.status, 200) << index.Describe();
    EXPECT_EQ(index.Json().at("_links").at("reservations").at("href").as_string(),
              "https://shop.example:8443/reservations{?page,size,sort}");
    // The service's own links, through X-Forwarded-* the gateway sets; the scheme's default port is left out.
    ASSERT_GT(CreateLot("Proxy", 1), 0);
    Reply page = through_proxy("/vaccineMgmts?size=1", "443");
    ASSERT_EQ(page.status, 200) << page.Describe();
    EXPECT_NE(page.body.find("\"https://shop.example/vaccineMgmts/"), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("shop.example:"), std::string::npos) << page.body;
    // A port that is not a port changes nothing.
    Reply odd = through_proxy("/", "80; evil");
    EXPECT_EQ(odd.Json().at("_links").at("reservations").at("href").as_string(),
              "https://shop.example:80/reservations{?page,size,sort}");
}

// ---- The web console -------------------------------------------------------------------------

using namespace std::chrono_literals;

// The console's data answers 127.0.0.1 alone; 127.0.0.1 is also a trusted proxy, so what it says in
// X-Forwarded-For is believed, and what any other peer says is not.
class ConsoleE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() {
        SystemOptions options = VaccineSystem();
        options.env = {{"RESERVO_GATEWAY_CONSOLE_OPERATORS", "127.0.0.1/32"},
                       {"RESERVO_GATEWAY_TRUSTED_PROXIES", "127.0.0.1/32"}};
        StartSystem(options);
    }

    // GET through the gateway, as the console's pages ask (the fixture's client is 127.0.0.1).
    bj::value Api(const std::string& target, int want = 200) {
        Reply r = Call("GET", target);
        EXPECT_EQ(r.status, want) << target << ": " << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), want == 200 ? "application/json" : "application/problem+json") << target;
        return r.Json();
    }

    // A raw request to the gateway from `from` (another loopback address is another client).
    Reply From(const std::string& from, const std::string& method, const std::string& target,
               const std::string& extra_headers = {}) {
        return RawExchange(gateway(),
                           method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n" +
                               extra_headers + "Connection: close\r\n\r\n",
                           10s, from);
    }

    static const bj::object* ServiceIn(const bj::value& list, std::string_view name) {
        for (const auto& s : list.as_array()) {
            if (s.as_object().at("name").as_string() == name) return &s.as_object();
        }
        return nullptr;
    }

    bj::object StatusOf(std::string_view service) {
        bj::value status = Api("/console/api/status");
        const bj::object* s = ServiceIn(status.at("services"), service);
        return s ? *s : bj::object();
    }

    static std::string CircuitState(const bj::object& service, std::string_view dependency) {
        const bj::value* circuits = service.if_contains("circuits");
        if (!circuits) return "";
        for (const auto& c : circuits->as_array()) {
            if (c.at("name").as_string() == dependency) return std::string(c.at("state").as_string());
        }
        return "";
    }
};

TEST_F(ConsoleE2E, ThePagesAreCompiledInWithTypesETagsAndRevalidation) {
    Reply bare = Call("GET", "/console");
    EXPECT_EQ(bare.status, 308) << bare.Describe();
    EXPECT_EQ(bare.Header("Location"), "/console/");

    Reply index = Call("GET", "/console/");
    ASSERT_EQ(index.status, 200) << index.Describe();
    EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.Header("Cache-Control"), "no-cache");
    EXPECT_NE(index.body.find("<html"), std::string::npos) << index.body;
    const std::string etag = index.Header("ETag");
    ASSERT_TRUE(etag.size() > 2 && etag.front() == '"' && etag.back() == '"') << etag;  // strong
    Reply named = Call("GET", "/console/index.html");
    EXPECT_EQ(named.status, 200);
    EXPECT_EQ(named.Header("ETag"), etag);
    EXPECT_EQ(named.body, index.body);

    // The browser's revalidation: unchanged is 304 without a body; another tag gets the page.
    http::Request again;
    again.method = "GET";
    again.target = "/console/index.html";
    again.headers.Set("If-None-Match", etag);
    Reply unchanged = http_.Call(gateway(), std::move(again));
    EXPECT_EQ(unchanged.status, 304) << unchanged.Describe();
    EXPECT_TRUE(unchanged.body.empty());
    EXPECT_EQ(unchanged.Header("ETag"), etag);
    http::Request other;
    other.method = "GET";
    other.target = "/console/";
    other.headers.Set("If-None-Match", "\"an-older-build\"");
    EXPECT_EQ(http_.Call(gateway(), std::move(other)).status, 200);

    Reply missing = Call("GET", "/console/no-such-file.js");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
    // The pages are public: any client gets them.
    Reply elsewhere = From("127.0.0.2", "GET", "/console/");
    EXPECT_EQ(elsewhere.status, 200) << elsewhere.Describe();
    EXPECT_EQ(elsewhere.Header("ETag"), etag);
}

TEST_F(ConsoleE2E, TheSystemIsDrawnFromItsYamlWithCallsAndEventFlows) {
    bj::value system = Api("/console/api/system");
    EXPECT_EQ(system.at("system"), "vaccine");
    EXPECT_EQ(system.at("auth"), false);
    std::vector<std::string> names;
    for (const auto& s : system.at("services").as_array()) names.emplace_back(s.at("name").as_string());
    EXPECT_EQ(names, (std::vector<std::string>{"vaccine-mgmt", "reservation", "notification", "mypage"}));
    const bj::object* reservation = ServiceIn(system.at("services"), "reservation");
    ASSERT_NE(reservation, nullptr);
    EXPECT_EQ(bj::serialize(*reservation),
              R"({"name":"reservation","routes":["/reservations/**"],"internal":[],"calls":["vaccine-mgmt"],)"
              R"("publishes":["VaccineReserved","ReservationCancelled","ReservationAborted"],"consumes":[]})");
    const bj::object* mgmt = ServiceIn(system.at("services"), "vaccine-mgmt");
    ASSERT_NE(mgmt, nullptr);
    EXPECT_EQ(bj::serialize(mgmt->at("internal")), R"(["/vaccineMgmts/updateVaccine"])");
    EXPECT_EQ(bj::serialize(mgmt->at("publishes")), R"(["VaccineRegistered"])");
    EXPECT_EQ(bj::serialize(mgmt->at("consumes")), R"(["ReservationCancelled","ReservationAborted"])");
    EXPECT_EQ(bj::serialize(ServiceIn(system.at("services"), "mypage")->at("consumes")),
              R"(["VaccineReserved","ReservationCancelled"])");
    EXPECT_EQ(bj::serialize(ServiceIn(system.at("services"), "notification")->at("consumes")),
              R"(["VaccineRegistered","VaccineReserved","ReservationCancelled"])");
}

TEST_F(ConsoleE2E, StatusIsLiveUpUnreachableAndOpenCircuitsNeverA5xx) {
    bj::value status = Api("/console/api/status");
    ASSERT_EQ(status.at("services").as_array().size(), 4u) << status;
    for (const auto& s : status.at("services").as_array()) {
        EXPECT_EQ(s.at("health"), "UP") << s;
        EXPECT_EQ(s.at("readiness"), "UP") << s;
        EXPECT_EQ(s.at("outboxBacklog").kind(), bj::kind::int64) << s;
        EXPECT_EQ(s.at("deadLetters"), 0) << s;
        EXPECT_EQ(s.at("consumerLag").kind(), bj::kind::int64) << s;
    }
    EXPECT_EQ(CircuitState(*ServiceIn(status.at("services"), "reservation"), "vaccine-mgmt"), "CLOSED") << status;
    ASSERT_EQ(status.at("gateway").at("circuits").as_array().size(), 4u) << status;  // one per upstream
    for (const auto& c : status.at("gateway").at("circuits").as_array()) EXPECT_EQ(c.at("state"), "CLOSED") << c;

    // vaccine-mgmt stopped: it is UNREACHABLE, the document still answers at once, and reservation's
    // circuit to it opens under the calls that fail.
    const int64_t lot = CreateLot(UniqueName("console"), 10);
    StopService("vaccine-mgmt");
    auto start = std::chrono::steady_clock::now();
    bj::object gone = StatusOf("vaccine-mgmt");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
    EXPECT_EQ(gone.at("health"), "UNREACHABLE") << gone;
    EXPECT_EQ(gone.at("readiness"), "UNREACHABLE") << gone;
    EXPECT_TRUE(gone.at("consumerLag").is_null()) << gone;
    for (int i = 0; i < 12; ++i) Call("POST", "/reservations", ReservationBody(7000 + i, lot));
    EXPECT_TRUE(Eventually([&] { return CircuitState(StatusOf("reservation"), "vaccine-mgmt") == "OPEN"; }, 3s))
        << StatusOf("reservation");
    // Its dead letters cannot be listed or replayed meanwhile, and the answer says so.
    bj::value letters = Api("/console/api/deadletters");
    EXPECT_EQ(bj::serialize(letters.at("unreachable")), R"(["vaccine-mgmt"])") << letters;
    Reply replay = Call("POST", "/console/api/deadletters/vaccine-mgmt/1/replay");
    EXPECT_EQ(replay.status, 503) << replay.Describe();
    EXPECT_EQ(replay.Header("Content-Type"), "application/problem+json");
    StartService("vaccine-mgmt");
    EXPECT_TRUE(Eventually([&] { return StatusOf("vaccine-mgmt").at("health") == "UP"; }));
    EXPECT_GT(ReserveWhenServing(7100, lot), 0);  // the circuit lets calls through again
}

TEST_F(ConsoleE2E, EventsListAReservationsFlowInLogOrderWithItsTrace) {
    const int64_t lot = CreateLot(UniqueName("timeline"), 5);
    ASSERT_GT(lot, 0);
    const std::string reserve_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const std::string cancel_trace = "0af7651916cd43dd8448eb211c80319c";
    http::Request reserve;
    reserve.method = "POST";
    reserve.target = "/reservations";
    reserve.body = ReservationBody(42, lot);
    reserve.headers.Set("Content-Type", "application/json");
    reserve.headers.Set("traceparent", "00-" + reserve_trace + "-00f067aa0ba902b7-01");
    Reply created = http_.Call(gateway(), std::move(reserve));
    ASSERT_EQ(created.status, 201) << created.Describe();
    const std::string id = std::to_string(AsInt(created.Json().at("id")));
    http::Request cancel;
    cancel.method = "DELETE";
    cancel.target = "/reservations/" + id;
    cancel.headers.Set("traceparent", "00-" + cancel_trace + "-b7ad6b7169203331-01");
    Reply cancelled = http_.Call(gateway(), std::move(cancel));
    ASSERT_EQ(cancelled.status / 100, 2) << cancelled.Describe();

    // A subject is a correlation key: a lot's events carry its id too, so the reservation's are those
    // its service published.
    bj::array events;
    ASSERT_TRUE(Eventually([&] {
        events.clear();
        const bj::value listed = Api("/events?subject=" + id);
        for (const auto& e : listed.as_array()) {
            if (e.at("source") == "/vaccine/reservation") events.push_back(e);
        }
        return events.size() >= 2;
    })) << events;
    ASSERT_EQ(events.size(), 2u) << events;
    EXPECT_EQ(events[0].at("type"), "VaccineReserved");
    EXPECT_EQ(events[1].at("type"), "ReservationCancelled");
    for (const auto& e : events) {
        EXPECT_EQ(AsString(e.at("subject")), id);
        EXPECT_EQ(e.at("source"), "/vaccine/reservation");
        EXPECT_FALSE(e.at("id").as_string().empty());
        EXPECT_FALSE(e.at("time").as_string().empty());
        EXPECT_EQ(e.at("data").at("reservationId"), AsInt(bj::value(id)));
    }
    EXPECT_EQ(AsString(events[0].at("traceId")), reserve_trace) << events[0];
    EXPECT_EQ(AsString(events[1].at("traceId")), cancel_trace) << events[1];
    EXPECT_TRUE(events[0].at("traceparent").as_string().starts_with("00-" + reserve_trace));
    EXPECT_EQ(events[0].at("partition"), events[1].at("partition"));  // one partition per subject
    EXPECT_LT(events[0].at("offset").as_int64(), events[1].at("offset").as_int64());

    // Nothing about a key nobody used; no key, or one too long, is a bad request.
    EXPECT_EQ(Api("/events?subject=no-such-key").as_array().size(), 0u);
    Api("/events", 400);
    Api("/events?subject=", 400);
    Api("/events?subject=" + std::string(201, 'k'), 400);
    EXPECT_EQ(Call("GET", "/events?subject=" + std::string(200, 'k')).status, 200);
}

TEST_F(ConsoleE2E, AParkedEventIsListedAndReplayedThroughTheConsole) {
    // An event mypage and notification cannot read (a producer's bug, say), appended to the embedded
    // log as another process of the system would: both consumers park it at once.
    auto log = messaging::SqliteEventLog::Open(system().data_dir() + "/vaccine/events.db", system().partitions());
    ASSERT_TRUE(log) << log.error().message;
    const std::string subject = std::to_string(900'000'000 + std::rand() % 1'000'000);
    messaging::CloudEvent bad = messaging::CloudEvent::New("/vaccine/reservation", "VaccineReserved", subject,
                                                           {{"reservationId", "not a number"}});
    ASSERT_TRUE(Eventually([&] { return static_cast<bool>((*log)->Append("vaccine", {&bad, 1})); }));

    auto parked = [&] {
        std::vector<bj::object> out;
        const bj::value listed = Api("/console/api/deadletters");
        for (const auto& d : listed.at("deadLetters").as_array()) {
            if (AsString(d.at("subject")) == subject) out.push_back(d.as_object());
        }
        return out;
    };
    std::vector<bj::object> letters;
    ASSERT_TRUE(Eventually([&] {
        letters = parked();
        return letters.size() == 2;
    })) << letters.size();
    std::set<std::string> services;
    for (const auto& d : letters) {
        services.insert(std::string(d.at("service").as_string()));
        EXPECT_EQ(d.at("group"), d.at("service"));
        EXPECT_EQ(d.at("type"), "VaccineReserved");
        EXPECT_EQ(AsString(d.at("eventId")), bad.id);
        EXPECT_NE(d.at("error").as_string().find("does not decode"), std::string::npos) << d;
        EXPECT_FALSE(d.at("parkedAt").as_string().empty());
    }
    EXPECT_EQ(services, (std::set<std::string>{"mypage", "notification"}));
    EXPECT_TRUE(Eventually([&] { return StatusOf("mypage").at("deadLetters") == 1; }));

    // Replayed as it is, it fails again: the console answers what mypage answered, and it stays parked.
    const auto replay = [&](const bj::object& d) {
        return Call("POST", "/console/api/deadletters/" + std::string(d.at("service").as_string()) + "/" +
                                std::to_string(d.at("id").as_int64()) + "/replay");
    };
    Reply refused = replay(letters[0]);
    EXPECT_EQ(refused.status, 400) << refused.Describe();
    EXPECT_EQ(refused.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(parked().size(), 2u);

    // The producer sends it again, fixed: applied once. Replaying the parked copies now finds it
    // applied (`replayed: 0`) and unparks them.
    messaging::CloudEvent fixed = bad;
    const int64_t key = std::stoll(subject);
    fixed.data = {{"id", key},
                  {"reservationId", key},
                  {"userId", 1},
                  {"vaccineId", 1},
                  {"hospital", "replayed"},
                  {"reservedDate", "2026-12-01"},
                  {"vaccineType", "pfizer"},
                  {"reservationStatus", "reserved"}};
    ASSERT_TRUE(Eventually([&] { return static_cast<bool>((*log)->Append("vaccine", {&fixed, 1})); }));
    ASSERT_TRUE(Eventually([&] { return RowsWhere("/myPages", "reservationId", subject).size() == 1; }));
    ASSERT_TRUE(Eventually([&] { return ConsumerCaughtUp("notification"); }));
    for (const auto& d : letters) {
        Reply done = replay(d);
        EXPECT_EQ(done.status, 200) << done.Describe();
        EXPECT_EQ(bj::serialize(done.Json()), R"({"replayed":0})");
    }
    EXPECT_TRUE(parked().empty());
    EXPECT_EQ(StatusOf("mypage").at("deadLetters"), 0);

    Reply unknown = Call("POST", "/console/api/deadletters/no-such-service/1/replay");
    EXPECT_EQ(unknown.status, 404) << unknown.Describe();
    EXPECT_EQ(Call("POST", "/console/api/deadletters/mypage/abc/replay").status, 404);  // no such dead letter
}

TEST_F(ConsoleE2E, OnlyOperatorsSeeTheDataAndNoClientCanPoseAsOne) {
    // 127.0.0.2 is neither an operator nor a trusted proxy: what it claims changes nothing.
    for (const char* target :
         {"/console/api/system", "/console/api/status", "/console/api/deadletters", "/events?subject=1"}) {
        Reply r = From("127.0.0.2", "GET", target);
        EXPECT_EQ(r.status, 403) << target << ": " << r.Describe();
        EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << target;
        EXPECT_EQ(From("127.0.0.2", "GET", target, "X-Forwarded-For: 127.0.0.1\r\n").status, 403) << target;
    }
    EXPECT_EQ(From("127.0.0.2", "POST", "/console/api/deadletters/mypage/1/replay").status, 403);
    // 127.0.0.1 is a trusted proxy: the client it names is the one that counts.
    EXPECT_EQ(From("127.0.0.1", "GET", "/console/api/system").status, 200);
    EXPECT_EQ(From("127.0.0.1", "GET", "/console/api/system", "X-Forwarded-For: 203.0.113.9\r\n").status, 403);
    EXPECT_EQ(From("127.0.0.1", "GET", "/console/api/system", "X-Forwarded-For: 127.0.0.1\r\n").status, 200);
    // A page of another site cannot make an operator's browser replay anything.
    Reply cross =
        From("127.0.0.1", "POST", "/console/api/deadletters/mypage/1/replay", "Origin: http://evil.example\r\n");
    EXPECT_EQ(cross.status, 403) << cross.Describe();
    Reply fetched =
        From("127.0.0.1", "POST", "/console/api/deadletters/mypage/1/replay", "Sec-Fetch-Site: cross-site\r\n");
    EXPECT_EQ(fetched.status, 403) << fetched.Describe();
}

// The gateway alone (`reservo serve`), with none of its services running: the status document still
// answers, every service UNREACHABLE; and with the console turned off, none of it exists.
TEST(ConsoleServedE2E, AGatewayWithoutItsServicesAnswersAndADisabledConsoleIsAbsent) {
    std::string error;
    {
        const int base = ReservePorts(5);  // the gateway, then four service ports nothing listens on
        ASSERT_GT(base, 0);
        auto gateway = ServedService::Start(
            {.target = "vaccine/gateway", .port = base, .args = {"--port-base", std::to_string(base)}}, &error);
        ASSERT_TRUE(gateway) << error;
        Http http;  // closed before the gateway stops, which then need not wait for it
        auto start = std::chrono::steady_clock::now();
        Reply status = http.Call(base, "GET", "/console/api/status");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
        ASSERT_EQ(status.status, 200) << status.Describe();
        const bj::value document = status.Json();
        ASSERT_EQ(document.at("services").as_array().size(), 4u);
        for (const auto& s : document.at("services").as_array()) EXPECT_EQ(s.at("health"), "UNREACHABLE") << s;
        Reply letters = http.Call(base, "GET", "/console/api/deadletters");
        EXPECT_EQ(letters.status, 200);
        EXPECT_EQ(letters.Json().at("unreachable").as_array().size(), 4u);
    }
    const int off = ReservePorts(5);
    ASSERT_GT(off, 0);
    auto disabled = ServedService::Start({.target = "vaccine/gateway",
                                          .port = off,
                                          .env = {{"RESERVO_GATEWAY_CONSOLE_ENABLED", "false"}},
                                          .args = {"--port-base", std::to_string(off)}},
                                         &error);
    ASSERT_TRUE(disabled) << error;
    Http http;
    for (const char* target : {"/console", "/console/", "/console/index.html", "/console/api/system",
                               "/console/api/status", "/events?subject=1"}) {
        EXPECT_EQ(http.Call(off, "GET", target).status, 404) << target;
    }
}

}  // namespace
}  // namespace reservo::e2e
