// End-to-end: what an adversarial round found (issue #5) — a failed answer means nothing happened,
// internal stays internal, hostile HTTP is refused, lost or broken state is noticed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

// Every system of this binary runs with a short gateway deadline (it keeps the slow-service
// scenarios short) and a low connection cap. `up_args`: fault injection, or none.
SystemOptions TrustSystem(std::vector<std::string> up_args) {
    SystemOptions options = VaccineSystem();
    options.env = {
        {"RESERVO_GATEWAY_TIMEOUT_MS", "1500"},
        {"RESERVO_HTTP_MAX_CONNECTIONS", "300"},
        // A slow-call threshold under the call timeout (vaccine ships without one: slowness is
        // the timeout's business), so that calls our own pause made slow would count (test 7).
        {"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_SLOW_CALL_DURATION_MS", "500"},
        {"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_SLOW_CALL_RATE_THRESHOLD", "80"}};
    options.up_args = std::move(up_args);
    return options;
}

class TrustE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() { StartSystem(TrustSystem({"--faults"})); }

    Reply Post(const std::string& target, const std::string& body, const std::string& idempotency_key,
               Millis timeout = 10s) {
        http::Request req;
        req.method = "POST";
        req.target = target;
        req.headers.Set("Content-Type", "application/json");
        if (!idempotency_key.empty()) req.headers.Set("Idempotency-Key", idempotency_key);
        req.body = body;
        return http_.Call(gateway(), std::move(req), timeout);
    }

    void SetFaults(std::string_view service, const std::string& body) {
        Reply r = http_.Call(PortOf(service), "POST", "/actuator/faults", body);
        ASSERT_EQ(r.status, 200) << r.Describe();
    }

    // Doses taken from the lot, once vaccine-mgmt has applied every compensation.
    int64_t SettledQty(int64_t lot) {
        EXPECT_TRUE(Eventually([&] { return ConsumerCaughtUp("vaccine-mgmt"); }, 15s));
        return LotQty(lot);
    }

    // The listening sockets of this machine (/proc/net/tcp): port → local address (hex, as the kernel writes it).
    static std::map<int, std::set<std::string>> Listeners() {
        std::map<int, std::set<std::string>> out;
        std::ifstream in("/proc/net/tcp");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            if (state != "0A") continue;  // LISTEN
            auto colon = local.find(':');
            out[std::stoi(local.substr(colon + 1), nullptr, 16)].insert(local.substr(0, colon));
        }
        return out;
    }
};

// 1. A client whose request timed out at the gateway must not find it booked: the service refuses
// work past the deadline the gateway passed on, and the gateway says 504 (outcome unknown).
TEST_F(TrustE2E, ASlowReservationPastTheGatewayDeadlineIs504AndStoresNothing) {
    int64_t lot = CreateLot(UniqueName("slow"), 5);
    ASSERT_GT(lot, 0);
    SetFaults("reservation", R"({"latencyMs":[2200,2200]})");
    Reply r = Call("POST", "/reservations", ReservationBody(100, lot));
    EXPECT_EQ(r.status, 504) << r.Describe();
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    EXPECT_GE(r.elapsed, 1400ms);
    EXPECT_LT(r.elapsed, 2100ms) << "the gateway waits for its own deadline, no longer";
    std::this_thread::sleep_for(1500ms);  // the slowed request reaches the service meanwhile
    http_.Call(PortOf("reservation"), "DELETE", "/actuator/faults");
    EXPECT_EQ(ReservationsOfLot(lot).size(), 0u) << "the late request was not refused";
    EXPECT_EQ(SettledQty(lot), 5);
    auto late = ServiceMetric("reservation", "reservo_http_server_late_requests_total");
    EXPECT_GE(late.value_or(0), 1);
}

// 1. Every creating POST accepts an Idempotency-Key: a retry gets the first answer, once.
TEST_F(TrustE2E, ARetryWithTheSameIdempotencyKeyHasNoSecondEffect) {
    int64_t lot = CreateLot(UniqueName("idem"), 5);
    ASSERT_GT(lot, 0);
    const std::string key = UniqueName("key");
    Reply first = Post("/reservations", ReservationBody(200, lot), key);
    ASSERT_EQ(first.status, 201) << first.Describe();
    Reply again = Post("/reservations", ReservationBody(200, lot), key);
    EXPECT_EQ(again.status, 201) << again.Describe();
    EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
    EXPECT_EQ(AsInt(again.Json().at("id")), AsInt(first.Json().at("id")));
    EXPECT_EQ(again.Header("Location"), first.Header("Location"));
    EXPECT_EQ(ReservationsOfLot(lot).size(), 1u);
    EXPECT_EQ(LotQty(lot), 4);

    Reply other = Post("/reservations", ReservationBody(201, lot), key);
    EXPECT_EQ(other.status, 422) << other.Describe();
    Reply bad = Post("/reservations", ReservationBody(202, lot), "has spaces in it");
    EXPECT_EQ(bad.status, 400) << bad.Describe();

    // Ten concurrent copies of one keyed request: one effect, every answer 201 (the same) or 409.
    const std::string burst_key = UniqueName("burst");
    std::vector<Reply> replies(10);
    http_.RunConcurrently(10, [&](int i) -> Awaitable<void> {
        http::Request req;
        req.method = "POST";
        req.target = "/reservations";
        req.headers.Set("Content-Type", "application/json");
        req.headers.Set("Idempotency-Key", burst_key);
        req.body = ReservationBody(203, lot);
        replies[static_cast<size_t>(i)] = co_await http_.Send(http_.ClientFor(gateway()), std::move(req));
    });
    std::set<int64_t> ids;
    for (const Reply& r : replies) {
        EXPECT_TRUE(r.status == 201 || r.status == 409) << r.Describe();
        if (r.status == 201) ids.insert(AsInt(r.Json().at("id")));
    }
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(ReservationsOfLot(lot).size(), 2u);
    EXPECT_EQ(LotQty(lot), 3);
}

// 1. After a 504 the client retries with its key: the first attempt did nothing, the retry books once.
TEST_F(TrustE2E, ARetryAfterA504BooksExactlyOnce) {
    int64_t lot = CreateLot(UniqueName("retry"), 5);
    ASSERT_GT(lot, 0);
    const std::string key = UniqueName("key");
    SetFaults("reservation", R"({"latencyMs":[2200,2200]})");
    Reply first = Post("/reservations", ReservationBody(300, lot), key);
    EXPECT_EQ(first.status, 504) << first.Describe();
    std::this_thread::sleep_for(1200ms);
    http_.Call(PortOf("reservation"), "DELETE", "/actuator/faults");
    Reply retry;
    EXPECT_TRUE(Eventually([&] {
        retry = Post("/reservations", ReservationBody(300, lot), key);
        return retry.status == 201;
    })) << retry.Describe();
    Reply again = Post("/reservations", ReservationBody(300, lot), key);
    EXPECT_EQ(again.status, 201);
    EXPECT_EQ(ReservationsOfLot(lot).size(), 1u);
    EXPECT_EQ(SettledQty(lot), 4);
}

// 2. The dose-taking call between services is not routed by the gateway, however it is spelled.
TEST_F(TrustE2E, TheInternalDoseTakingCallIsNotRouted) {
    int64_t lot = CreateLot(UniqueName("internal"), 3);
    ASSERT_GT(lot, 0);
    for (std::string target : {"/vaccineMgmts/updateVaccine?vaccineId=", "/vaccineMgmts/updateVaccine/?vaccineId=",
                               "/vaccineMgmts//updateVaccine?vaccineId=", "/vaccineMgmts/update%56accine?vaccineId="}) {
        Reply r = Call("PUT", target + std::to_string(lot) + "&reservationId=attacker-1");
        EXPECT_TRUE(r.status == 404 || r.status == 400 || r.status == 405) << target << ": " << r.Describe();
    }
    EXPECT_EQ(LotQty(lot), 3);
}

// 3. Nothing that changes a process is reachable through the gateway; services listen on loopback.
TEST_F(TrustE2E, OperatorEndpointsAreNotReachableFromOutside) {
    for (std::string target :
         {"/actuator/faults", "/vaccineMgmts/../actuator/faults", "/actuator/deadletters/1/replay"}) {
        Reply r = Call("POST", target, R"({"errorRate":1})");
        EXPECT_TRUE(r.status == 404 || r.status == 400 || r.status == 405) << target << ": " << r.Describe();
    }
    Reply list = Call("GET", "/vaccineMgmts?size=1");
    EXPECT_EQ(list.status, 200) << "the API is still up: " << list.Describe();

    auto listeners = Listeners();
    EXPECT_EQ(listeners[gateway()], std::set<std::string>{"00000000"}) << "the gateway listens on all interfaces";
    for (const std::string& service : system().services()) {
        EXPECT_EQ(listeners[PortOf(service)], std::set<std::string>{"0100007F"}) << service << " is on loopback only";
    }
}

TEST_F(TrustE2E, FaultInjectionIsOffUnlessAsked) {
    std::string error;
    auto plain = System::Start(TrustSystem({}), &error);
    ASSERT_TRUE(plain) << error;
    Http http;
    Reply r = http.Call(plain->PortOf("reservation"), "POST", "/actuator/faults", R"({"errorRate":1})");
    EXPECT_EQ(r.status, 404) << r.Describe();
    EXPECT_EQ(http.Call(plain->gateway_port(), "GET", "/vaccineMgmts?size=1").status, 200);
    plain->Down();
}

// 4. A view whose store is lost rebuilds itself from the event log.
TEST_F(TrustE2E, ALostViewIsRebuiltFromTheEventLog) {
    std::string hospital = UniqueName("view");
    int64_t lot = CreateLot(hospital, 5);
    ASSERT_GT(lot, 0);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(Call("POST", "/reservations", ReservationBody(400 + i, lot)).status, 201);
    ASSERT_TRUE(Eventually([&] { return MyPageRows(hospital).size() == 3; }));
    size_t all_before = ListAll("/myPages", "myPages").size();

    std::vector<pid_t> pids = system().Pids("mypage");
    ASSERT_EQ(pids.size(), 1u);
    std::filesystem::resize_file(system().data_dir() + "/vaccine/mypage.db", 0);
    ASSERT_EQ(kill(pids[0], SIGKILL), 0);
    EXPECT_TRUE(Eventually(
        [&] {
            auto now = system().Pids("mypage");
            return now.size() == 1 && now[0] != pids[0] && system().AllReady();
        },
        15s));
    EXPECT_TRUE(Eventually([&] { return MyPageRows(hospital).size() == 3; }, 15s)) << MyPageRows(hospital).size();
    EXPECT_TRUE(Eventually([&] { return ListAll("/myPages", "myPages").size() == all_before; }, 15s));
}

// 4. A service that is not a view and lost its store says so and serves nothing wrong.
TEST_F(TrustE2E, AServiceWithALostStoreRefusesToServe) {
    std::string error;
    auto own = System::Start(TrustSystem({}), &error);
    ASSERT_TRUE(own) << error;
    Http http;
    Reply lot = http.Call(own->gateway_port(), "POST", "/vaccineMgmts",
                          R"({"vaccineType":"Pfizer","hospital":"Lost","availableDate":"2030-01-01","qty":5})");
    ASSERT_EQ(lot.status, 201) << lot.Describe();
    std::string body = "{\"userId\":1,\"vaccineId\":" + std::to_string(AsInt(lot.Json().at("id"))) + "}";
    ASSERT_EQ(http.Call(own->gateway_port(), "POST", "/reservations", body).status, 201);

    std::vector<pid_t> pids = own->Pids("reservation");
    ASSERT_EQ(pids.size(), 1u);
    ASSERT_EQ(kill(pids[0], SIGSTOP), 0);
    for (std::string suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(own->data_dir() + "/vaccine/reservation.db" + suffix);
    }
    ASSERT_EQ(kill(pids[0], SIGKILL), 0);
    Reply ready;
    EXPECT_TRUE(Eventually(
        [&] {
            auto now = own->Pids("reservation");
            if (now.size() != 1 || now[0] == pids[0]) return false;
            ready = http.Call(own->PortOf("reservation"), "GET", "/actuator/health/readiness");
            return ready.status == 503;
        },
        15s))
        << ready.Describe();
    EXPECT_NE(ready.body.find("lost or replaced"), std::string::npos) << ready.Describe();
    Reply list = http.Call(own->gateway_port(), "GET", "/reservations");
    EXPECT_EQ(list.status, 503) << "an empty list would be wrong: " << list.Describe();
    Reply reserve = http.Call(own->gateway_port(), "POST", "/reservations", body);
    EXPECT_EQ(reserve.status, 503) << "a reused id would be wrong: " << reserve.Describe();
    own->Down();
}

// 5. A broken event log turns readiness DOWN with the reason; a damaged one is refused at start.
TEST_F(TrustE2E, ATruncatedEventLogTurnsReadinessDown) {
    std::string error;
    auto own = System::Start(TrustSystem({}), &error);
    ASSERT_TRUE(own) << error;
    Http http;
    std::filesystem::resize_file(own->data_dir() + "/vaccine/events.db", 0);
    for (const std::string& service : own->services()) {
        Reply ready;
        EXPECT_TRUE(Eventually([&] {
            ready = http.Call(own->PortOf(service), "GET", "/actuator/health/readiness");
            return ready.status == 503;
        })) << service
            << ": " << ready.Describe();
        EXPECT_NE(ready.body.find("truncated"), std::string::npos) << service << ": " << ready.Describe();
    }
    own->Down();
}

// 6. A hung process: the gateway fails fast once its breaker for that upstream opens, and the
// supervisor replaces the process after its liveness probes fail.
TEST_F(TrustE2E, AHungServiceFailsFastAndIsReplaced) {
    std::vector<pid_t> pids = system().Pids("mypage");
    ASSERT_EQ(pids.size(), 1u);
    ASSERT_EQ(kill(pids[0], SIGSTOP), 0);
    std::vector<Reply> first(12);
    http_.RunConcurrently(12, [&](int i) -> Awaitable<void> {
        first[static_cast<size_t>(i)] = co_await http_.Send(gateway(), "GET", "/myPages?size=1");
    });
    for (const Reply& r : first) EXPECT_TRUE(r.status == 504 || r.status == 503) << r.Describe();
    Reply fast = Call("GET", "/myPages?size=1");
    EXPECT_EQ(fast.status, 503) << fast.Describe();
    EXPECT_LT(fast.elapsed, 200ms) << "the breaker for mypage is open";
    EXPECT_TRUE(Eventually(
        [&] {
            auto now = system().Pids("mypage");
            return now.size() == 1 && now[0] != pids[0];
        },
        20s))
        << "the hung mypage was not replaced";
    kill(pids[0], SIGKILL);  // in case it was not
    Reply back;
    EXPECT_TRUE(Eventually(
        [&] {
            back = Call("GET", "/myPages?size=1");
            return back.status == 200;
        },
        20s))
        << back.Describe();
}

// 7. Calls that expired while the caller itself was paused do not open its circuit.
TEST_F(TrustE2E, APausedCallerDoesNotOpenItsCircuit) {
    int64_t lot = CreateLot(UniqueName("pause"), 100000);
    ASSERT_GT(lot, 0);
    SetFaults("vaccine-mgmt", R"({"latencyMs":[100,150]})");  // keep many calls in flight
    std::vector<pid_t> pids = system().Pids("reservation");
    ASSERT_EQ(pids.size(), 1u);
    int gw = gateway();
    {
        LoadLoop load(
            24,
            [&](Http& http, int worker) -> Awaitable<void> {
                co_await http.Send(gw, "POST", "/reservations", ReservationBody(500 + worker, lot), 3000ms);
            },
            0ms);
        ASSERT_TRUE(Eventually([&] { return load.iterations() >= 50; }));
        ASSERT_EQ(kill(pids[0], SIGSTOP), 0);
        std::this_thread::sleep_for(1200ms);
        ASSERT_EQ(kill(pids[0], SIGCONT), 0);
        auto resumed = std::chrono::steady_clock::now();
        int open_samples = 0;
        while (std::chrono::steady_clock::now() - resumed < 1500ms) {
            auto state =
                ServiceMetric("reservation", R"(resilience4j_circuitbreaker_state{name="vaccine-mgmt",state="open"})");
            if (state && *state == 1) ++open_samples;
            std::this_thread::sleep_for(50ms);
        }
        load.Stop();
        EXPECT_EQ(open_samples, 0) << "the circuit opened against a healthy vaccine-mgmt";
    }
    auto uncounted = ServiceMetric(
        "reservation", R"(resilience4j_circuitbreaker_calls_seconds_count{kind="ignored",name="vaccine-mgmt"})");
    EXPECT_GE(uncounted.value_or(0), 1) << "no call was found to have expired during the pause";
}

// 8. Request smuggling through the gateway: a Transfer-Encoding other than a final chunked is 400.
TEST_F(TrustE2E, SmuggledRequestsAreRefused) {
    std::string hospital = UniqueName("smuggle");
    std::string inner_body =
        R"({"vaccineType":"Pfizer","hospital":")" + hospital + R"(","availableDate":"2030-01-01","qty":1})";
    std::string inner = "POST /vaccineMgmts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(inner_body.size()) + "\r\n\r\n" + inner_body;
    for (std::string te : {"identity", "gzip", "chunked, identity"}) {
        Reply r = RawExchange(gateway(),
                              "POST /vaccineMgmts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                                  "\r\nContent-Type: application/json\r\n\r\n" + inner,
                              5s);
        EXPECT_TRUE(r.status == 400 || r.status == 501) << te << ": " << r.Describe();
    }
    std::this_thread::sleep_for(200ms);
    Reply found = Call("GET", "/vaccineMgmts/search/findByHospital?hospital=" + hospital);
    ASSERT_EQ(found.status, 200) << found.Describe();
    EXPECT_EQ(found.Json().at("_embedded").at("vaccineMgmts").as_array().size(), 0u) << "a smuggled POST ran";
}

// 9. Idle connections cannot exhaust a process: past the cap the longest-idle ones are closed.
TEST_F(TrustE2E, IdleConnectionsCannotLockAServiceOut) {
    const int port = PortOf("notification");
    std::vector<int> fds;
    for (int i = 0; i < 400; ++i) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        fds.push_back(fd);
    }
    Reply ready;
    EXPECT_TRUE(Eventually([&] {
        ready = http_.Call(port, "GET", "/actuator/health/readiness", {}, 1000ms);
        return ready.status == 200;
    })) << ready.Describe();
    auto closed = ServiceMetric("notification", "reservo_http_server_connections_closed_at_limit_total");
    EXPECT_GE(closed.value_or(0), 100) << "the longest-idle connections make room";
    EXPECT_LE(ServiceMetric("notification", "reservo_http_server_connections").value_or(1e9), 300);
    EXPECT_GT(ServiceMetric("notification", "process_max_fds").value_or(0), 0);
    for (int fd : fds) close(fd);
}

// 10. Headers are trusted only as far as they deserve.
TEST_F(TrustE2E, ForwardedHeadersRequestIdsAndCorsAreNotTakenOnTrust) {
    http::Request req;
    req.method = "GET";
    req.target = "/vaccineMgmts?size=1";
    req.headers.Set("X-Forwarded-Host", "evil.example");
    req.headers.Set("X-Forwarded-Proto", "javascript:alert(1)//");
    req.headers.Set("X-Request-Id", std::string(15000, 'a'));
    Reply r = http_.Call(gateway(), std::move(req));
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.body.find("evil.example"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("javascript"), std::string::npos) << r.body;
    EXPECT_EQ(r.Header("X-Request-Id").size(), 32u) << "an oversized request id is replaced";

    http::Request ok_id;
    ok_id.method = "GET";
    ok_id.target = "/vaccineMgmts?size=1";
    ok_id.headers.Set("X-Request-Id", "client-chosen-42");
    EXPECT_EQ(http_.Call(gateway(), std::move(ok_id)).Header("X-Request-Id"), "client-chosen-42");

    Reply badhost = RawExchange(gateway(), "GET /vaccineMgmts HTTP/1.1\r\nHost: a b<script>\r\n\r\n", 5s);
    EXPECT_EQ(badhost.status, 400) << badhost.Describe();

    http::Request preflight;
    preflight.method = "OPTIONS";
    preflight.target = "/reservations";
    preflight.headers.Set("Origin", "http://app.example");
    preflight.headers.Set("Access-Control-Request-Headers", "X-Evil-Header");
    Reply cors = http_.Call(gateway(), std::move(preflight));
    EXPECT_EQ(cors.status, 204);
    EXPECT_EQ(cors.Header("Access-Control-Allow-Headers").find("X-Evil-Header"), std::string::npos)
        << cors.Header("Access-Control-Allow-Headers");
    EXPECT_NE(cors.Header("Access-Control-Allow-Headers").find("Idempotency-Key"), std::string::npos);
}

// 11. Error details do not tell outsiders where things run.
TEST_F(TrustE2E, ErrorDetailsDoNotLeakInternalAddresses) {
    int64_t lot = CreateLot(UniqueName("leak"), 3);
    ASSERT_GT(lot, 0);
    StopService("vaccine-mgmt");
    Reply reserve = Call("POST", "/reservations", ReservationBody(600, lot));
    EXPECT_EQ(reserve.status, 503) << reserve.Describe();
    Reply lot_get = Call("GET", "/vaccineMgmts/" + std::to_string(lot));
    EXPECT_EQ(lot_get.status, 503) << lot_get.Describe();
    for (const Reply* r : {&reserve, &lot_get}) {
        EXPECT_EQ(r->body.find("127.0.0.1"), std::string::npos) << r->Describe();
        EXPECT_EQ(r->body.find("http://"), std::string::npos) << r->Describe();
    }
    StartService("vaccine-mgmt");
}

}  // namespace
}  // namespace reservo::e2e
