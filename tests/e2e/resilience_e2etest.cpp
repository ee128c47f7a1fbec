// End-to-end resilience of the vaccine system (issue #2): a dependency down, slow (circuit
// breaker) or killed under load, and a rolling restart under load.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kBreakerState = "reservo_circuit_breaker_state{dependency=\"vaccine-mgmt\"}";

class ResilienceE2E : public VaccineTest {};

// NFR: a synchronous dependency that is down is answered fast with a fallback, and cancelling
// (asynchronous) keeps working; the dose comes back once the dependency is up.
TEST_F(ResilienceE2E, VaccineMgmtStoppedAnswers503FastAndCancelStillWorks) {
    std::string hospital = UniqueName("down");
    int64_t lot = CreateLot(hospital, 5);
    ASSERT_GT(lot, 0);
    Reply first = Call("POST", "/reservations", ReservationBody(5000, lot));
    ASSERT_EQ(first.status, 201) << first.Describe();
    int64_t id = AsInt(first.Json().as_object().at("id"));
    ASSERT_EQ(LotQty(lot), 4);

    StopService("vaccine-mgmt");
    int64_t total_before = TotalElements("/reservations");
    for (int i = 0; i < 3; ++i) {
        Reply r = Call("POST", "/reservations", ReservationBody(5001 + i, lot));
        ExpectUnavailable(r, "POST while vaccine-mgmt is stopped");
        EXPECT_LT(r.elapsed.count(), 1000) << r.Describe();
    }
    EXPECT_EQ(TotalElements("/reservations"), total_before);
    EXPECT_EQ(ReservationsOfLot(lot).size(), 1u);

    Reply cancel = Call("PATCH", "/reservations/" + std::to_string(id), R"({"reservationStatus":"cancelled"})");
    EXPECT_EQ(cancel.status, 200) << cancel.Describe();
    EXPECT_EQ(AsString(cancel.Json().as_object()["reservationStatus"]), "cancelled") << cancel.Describe();

    StartService("vaccine-mgmt");
    EXPECT_TRUE(Eventually([&] { return LotQty(lot) == 5; })) << "qty " << LotQty(lot);
    // Given back once, not once per delivery.
    EXPECT_TRUE(Eventually([&] { return ConsumerCaughtUp("vaccine-mgmt"); }));
    EXPECT_EQ(LotQty(lot), 5);

    Reply again;
    EXPECT_TRUE(Eventually([&] {
        again = Call("POST", "/reservations", ReservationBody(5010, lot));
        return again.status == 201;
    })) << again.Describe();
    EXPECT_EQ(LotQty(lot), 4);
}

// NFR: a slow dependency trips the circuit breaker; while open, calls fail fast with a
// fallback; once the dependency recovers the circuit closes; no dose is lost or double-taken.
TEST_F(ResilienceE2E, SlowVaccineMgmtOpensTheCircuitThenItCloses) {
    constexpr int64_t kQty = 50;
    std::string hospital = UniqueName("slow");
    int64_t lot = CreateLot(hospital, kQty);
    ASSERT_GT(lot, 0);
    ASSERT_EQ(ServiceMetric("reservation", kBreakerState), 0);
    int created = 0;

    Reply faults =
        http_.Call(PortOf("vaccine-mgmt"), "POST", "/actuator/faults", R"({"latencyMs":[700,800],"errorRate":0})");
    ASSERT_EQ(faults.status, 200) << faults.Describe();

    // Every call takes longer than the 600 ms timeout.
    std::vector<Reply> slow(15);
    http_.RunConcurrently(15, [&](int i) -> Awaitable<void> {
        slow[i] = co_await http_.Send(gateway(), "POST", "/reservations", ReservationBody(6000 + i, lot));
    });
    for (const Reply& r : slow) {
        ExpectUnavailable(r, "POST with vaccine-mgmt slow");
        EXPECT_GE(r.elapsed.count(), 550) << r.Describe();
        EXPECT_LT(r.elapsed.count(), 1500) << r.Describe();
    }
    EXPECT_TRUE(Eventually([&] { return ServiceMetric("reservation", kBreakerState) == 1; }, 3s));

    // Open: fail fast, without waiting for vaccine-mgmt.
    for (int i = 0; i < 5; ++i) {
        Reply r = Call("POST", "/reservations", ReservationBody(6100 + i, lot));
        ExpectUnavailable(r, "POST with the circuit open");
        EXPECT_LT(r.elapsed.count(), 100) << r.Describe();
    }
    EXPECT_EQ(ServiceMetric("reservation", kBreakerState), 1);

    Reply clear = http_.Call(PortOf("vaccine-mgmt"), "DELETE", "/actuator/faults");
    EXPECT_LT(clear.status, 300) << clear.Describe();

    // After the open wait (2 s) the half-open trial calls succeed and the circuit closes.
    auto opened = std::chrono::steady_clock::now();
    Reply last;
    std::optional<std::chrono::steady_clock::time_point> first_success;
    bool closed = Eventually(
        [&] {
            last = Call("POST", "/reservations", ReservationBody(6200 + created, lot));
            if (last.status == 201) {
                ++created;
                if (!first_success) first_success = std::chrono::steady_clock::now();
            } else {
                EXPECT_EQ(last.status, 503) << last.Describe();
            }
            return last.status == 201 && ServiceMetric("reservation", kBreakerState) == 0;
        },
        10s, 100ms);
    EXPECT_TRUE(closed) << "last: " << last.Describe() << ", state "
                        << ServiceMetric("reservation", kBreakerState).value_or(-1);
    ASSERT_TRUE(first_success);
    EXPECT_GE(std::chrono::duration_cast<Millis>(*first_success - opened).count(), 1000)
        << "the circuit let calls through long before its open wait";

    // Nothing was stored for the refused calls; the late takes of timed-out calls are undone.
    EXPECT_EQ(static_cast<int>(ReservationsOfLot(lot).size()), created);
    ExpectDosesMatchReservations(lot, kQty);
    EXPECT_EQ(LotQty(lot), kQty - created);
}

struct LoadRecord {
    std::vector<std::string> failures;  // unexpected answers
    std::set<int64_t> created;          // ids answered 201
    std::map<int, int> post_statuses;
    int64_t requests = 0;
};

// NFR: a crashed service is restarted; a crash under load loses or duplicates nothing.
TEST_F(ResilienceE2E, KilledVaccineMgmtIsRestartedAndNothingIsLostOrDuplicated) {
    constexpr int64_t kQty = 10000;
    std::string hospital = UniqueName("kill");
    int64_t lot = CreateLot(hospital, kQty);
    ASSERT_GT(lot, 0);
    std::vector<pid_t> old_pids = system().Pids("vaccine-mgmt");
    ASSERT_EQ(old_pids.size(), 1u);
    int64_t restarts_before = AsInt(system().ServiceStatus("vaccine-mgmt")["restarts"]);

    LoadRecord rec;
    int gw = gateway();
    {
        LoadLoop load(
            4,
            [&](Http& http, int worker) -> Awaitable<void> {
                Reply post = co_await http.Send(gw, "POST", "/reservations", ReservationBody(7000 + worker, lot));
                ++rec.requests;
                ++rec.post_statuses[post.status];
                if (post.status == 201) {
                    int64_t id = AsInt(post.Json().as_object()["id"]);
                    rec.created.insert(id);
                    Reply get = co_await http.Send(gw, "GET", "/reservations/" + std::to_string(id));
                    ++rec.requests;
                    if (get.status != 200) rec.failures.push_back("GET reservation: " + get.Describe());
                } else if (post.status != 503) {
                    rec.failures.push_back("POST: " + post.Describe());
                }
                Reply lot_get = co_await http.Send(gw, "GET", "/vaccineMgmts/" + std::to_string(lot));
                ++rec.requests;
                if (lot_get.status != 200 && lot_get.status != 503)
                    rec.failures.push_back("GET lot: " + lot_get.Describe());
            },
            30ms);
        // About a second of load before the crash and one and a half after the restart.
        auto started = std::chrono::steady_clock::now();
        ASSERT_TRUE(
            Eventually([&] { return load.iterations() >= 20 && std::chrono::steady_clock::now() - started >= 1s; }));
        ASSERT_EQ(kill(old_pids[0], SIGKILL), 0);

        std::vector<pid_t> pids;
        EXPECT_TRUE(Eventually(
            [&] {
                pids = system().Pids("vaccine-mgmt");
                bj::object s = system().ServiceStatus("vaccine-mgmt");
                return pids.size() == 1 && pids[0] != old_pids[0] && AsString(s["state"]) == "ready";
            },
            15s, 100ms))
            << "vaccine-mgmt was not restarted";
        EXPECT_GT(AsInt(system().ServiceStatus("vaccine-mgmt")["restarts"]), restarts_before);
        Reply ready = http_.Call(PortOf("vaccine-mgmt"), "GET", "/actuator/health/readiness");
        EXPECT_EQ(ready.status, 200) << ready.Describe();
        int64_t at_restart = load.iterations();
        auto restarted = std::chrono::steady_clock::now();
        EXPECT_TRUE(Eventually([&] {
            return load.iterations() >= at_restart + 40 && std::chrono::steady_clock::now() - restarted >= 1500ms;
        }));
        load.Stop();
    }
    std::cout << "[   info   ] " << rec.requests << " requests; POST answers:";
    for (auto [status, n] : rec.post_statuses) std::cout << " " << status << "x" << n;
    std::cout << "\n";
    for (const auto& f : rec.failures) ADD_FAILURE() << f;
    EXPECT_EQ(rec.post_statuses[0], 0) << "transport errors";
    EXPECT_GT(rec.post_statuses[201], 0);

    // Reservations work again (the circuit may need its open wait first).
    if (int64_t id = ReserveWhenServing(7100, lot); id > 0) rec.created.insert(id);

    ExpectDosesMatchReservations(lot, kQty);
    std::set<int64_t> stored;
    for (auto& r : ReservationsOfLot(lot)) stored.insert(AsInt(r["id"]));
    EXPECT_EQ(stored, rec.created) << "stored reservations differ from the ones answered 201";

    ExpectEveryReservationOnceDownstream(hospital, rec.created);
}

// NFR: zero-downtime rolling update proven under load.
TEST_F(ResilienceE2E, RollingRestartOfReservationUnderLoadFailsNoRequest) {
    std::string hospital = UniqueName("rolling");
    int64_t lot = CreateLot(hospital, 100000);
    ASSERT_GT(lot, 0);
    std::vector<pid_t> old_pids = system().Pids("reservation");
    ASSERT_EQ(old_pids.size(), 1u);

    LoadRecord rec;
    int gw = gateway();
    LoadLoop load(
        5,
        [&](Http& http, int worker) -> Awaitable<void> {
            Reply post = co_await http.Send(gw, "POST", "/reservations", ReservationBody(8000 + worker, lot));
            ++rec.requests;
            ++rec.post_statuses[post.status];
            if (post.status != 201) {
                rec.failures.push_back("POST: " + post.Describe());
                co_return;
            }
            int64_t id = AsInt(post.Json().as_object()["id"]);
            rec.created.insert(id);
            Reply get = co_await http.Send(gw, "GET", "/reservations/" + std::to_string(id));
            ++rec.requests;
            if (get.status != 200) rec.failures.push_back("GET one: " + get.Describe());
            Reply list = co_await http.Send(gw, "GET", "/reservations?size=5");
            ++rec.requests;
            if (list.status != 200) rec.failures.push_back("GET list: " + list.Describe());
        },
        1ms);  // near-continuous load: the restart takes only milliseconds now
    auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        Eventually([&] { return load.iterations() >= 20 && std::chrono::steady_clock::now() - started >= 1s; }));
    int64_t before = load.iterations();
    RestartService("reservation");
    int64_t during = load.iterations() - before;
    std::vector<pid_t> new_pids = system().Pids("reservation");
    auto restarted = std::chrono::steady_clock::now();
    EXPECT_TRUE(Eventually([&] {
        return load.iterations() >= before + during + 40 && std::chrono::steady_clock::now() - restarted >= 1s;
    }));
    load.Stop();
    std::cout << "[   info   ] " << rec.requests << " requests, " << during << " load steps during the restart, "
              << rec.failures.size() << " failed\n";

    ASSERT_EQ(new_pids.size(), 1u);
    EXPECT_NE(new_pids[0], old_pids[0]) << "the process was not replaced";
    EXPECT_GT(during, 0) << "no request ran during the restart";
    for (const auto& f : rec.failures) ADD_FAILURE() << f;
    EXPECT_EQ(rec.failures.size(), 0u) << "of " << rec.requests << " requests";
    EXPECT_GT(rec.requests, 150);

    std::set<int64_t> stored;
    for (auto& r : ReservationsOfLot(lot)) stored.insert(AsInt(r["id"]));
    EXPECT_EQ(stored, rec.created);
    ExpectDosesMatchReservations(lot, 100000);
}

}  // namespace
}  // namespace reservo::e2e
