// End-to-end resilience of system `vaccine-approval` (seed 001), as the vaccine system's suites do it:
// a service SIGKILLed under load (reservation, the saga's owner; vaccine-mgmt, the asynchronous
// assigner) with every count agreeing afterwards, two replicas of the consumers splitting the events
// without duplicate effects, and rolling restarts under load (reservation; approval, its synchronous
// dependency) that fail no request.
//
// "Every count agrees" is one set of invariants over every service's own state (Disagreements):
// reservations, the lots' doses, vaccine-mgmt's assignment ledger, approval's decisions and mypage's
// rows — checked once the consumers caught up.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/load_tally.hpp"
#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

// The services that consume events (reservation: vaccine-mgmt's answers; approval: aborts, cancels,
// failures; vaccine-mgmt: approvals and cancels; mypage: all of them).
const std::vector<std::string> kConsumers = {"reservation", "approval", "vaccine-mgmt", "mypage"};

// What a load saw: every answer by request kind, the unexpected ones (the tally), the reservations
// answered 201.
struct LoadRecord : LoadTally {
    std::set<int64_t> created;

    void Print() const {
        std::cout << "[   info   ] " << Summary() << "; " << created.size() << " reservations answered 201\n";
    }
};

// Every service's state about one hospital's reservations, read at one moment.
struct Snapshot {
    std::map<int64_t, bj::object> reservations;            // the hospital's, by id
    std::map<int64_t, std::vector<bj::object>> my_pages;   // the hospital's rows, by reservationId
    std::map<int64_t, std::vector<bj::object>> approvals;  // the hospital's, by reservationId
    std::map<int64_t, bj::object> assignments;             // vaccine-mgmt's ledger, by reservation id
    std::map<int64_t, int64_t> qty;                        // per lot
};

class VaccineApprovalResilienceE2E : public SystemTest {
  protected:
    // A reservation step left pending by a crash is aborted (its approval withdrawn) after 6 s rather
    // than 30 s, so the approvals settle within a test; still far above the approving call's 600 ms.
    static void SetUpTestSuite() {
        StartSystem({.system = "vaccine-approval", .env = {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "6000"}}});
    }

    // A customer no other request of this run uses (approval: one upcoming reservation per customer).
    static int64_t NewCustomer() {
        static std::atomic<int64_t> next{1};
        return next.fetch_add(1);
    }

    static std::string ReserveBody(int64_t customer, const std::string& hospital, const std::string& date) {
        return bj::serialize(bj::object{{"customerId", customer},
                                        {"customerName", "고객 " + std::to_string(customer)},
                                        {"hospital", hospital},
                                        {"reservationDate", date}});
    }
    // The id of a 201 answer, or 0.
    static int64_t IdOf(const Reply& r) {
        bj::value v = r.Json();
        if (r.status != 201 || !v.is_object() || !v.as_object().contains("id")) return 0;
        return AsInt(v.as_object().at("id"));
    }

    // POST /vaccines; fails the test (and returns -1) unless 201.
    int64_t CreateLot(const std::string& hospital, int64_t qty, int expires_in_days = 365) {
        bj::object lot{{"vaccineType", "pfizer"},
                       {"hospital", hospital},
                       {"expiryDate", DaysFromToday(expires_in_days)},
                       {"manufactureDate", DaysFromToday(-30)},
                       {"qty", qty}};
        Reply r = Call("POST", "/vaccines", bj::serialize(lot));
        EXPECT_EQ(r.status, 201) << r.Describe();
        bj::value v = r.Json();
        if (r.status != 201 || !v.is_object() || !v.as_object().contains("id")) return -1;
        return AsInt(v.as_object().at("id"));
    }

    std::optional<Snapshot> Take(const std::string& hospital, const std::map<int64_t, int64_t>& initial) {
        Snapshot s;
        auto reservations =
            TryListAll(gateway(), "/reservations/search/findByHospital?hospital=" + hospital, "reservations");
        auto pages = TryListAll(gateway(), "/myPages", "myPages");
        // Internal collections, on the services' own ports (the gateway routes neither).
        auto approvals = TryListAll(PortOf("approval"), "/approvals", "approvals");
        auto assignments = TryListAll(PortOf("vaccine-mgmt"), "/assignments", "assignments");
        if (!reservations || !pages || !approvals || !assignments) return std::nullopt;
        for (auto& r : *reservations) s.reservations[AsInt(r["id"])] = r;
        for (auto& p : *pages) {
            if (AsString(p["hospital"]) == hospital) s.my_pages[AsInt(p["reservationId"])].push_back(p);
        }
        for (auto& a : *approvals) {
            if (AsString(a["hospital"]) == hospital) s.approvals[AsInt(a["reservationId"])].push_back(a);
        }
        for (auto& a : *assignments) s.assignments[AsInt(a["id"])] = a;
        for (auto [lot, qty] : initial) {
            Reply r = Call("GET", "/vaccines/" + std::to_string(lot));
            bj::value v = r.Json();
            if (r.status != 200 || !v.is_object() || !v.as_object().contains("qty")) return std::nullopt;
            s.qty[lot] = AsInt(v.as_object().at("qty"));
        }
        return s;
    }

    // What does not agree between the services about the hospital's reservations (empty: all agrees).
    static std::vector<std::string> Disagreements(const Snapshot& s, const std::map<int64_t, int64_t>& initial,
                                                  const std::set<int64_t>& created) {
        std::vector<std::string> out;
        auto id_text = [](int64_t id) { return "reservation " + std::to_string(id); };
        for (int64_t id : created) {
            if (!s.reservations.contains(id)) out.push_back(id_text(id) + " was answered 201 but is not stored");
        }
        std::map<std::string, int> by_status;
        std::map<int64_t, int64_t> completed_of_lot;
        for (const auto& [id, r] : s.reservations) {
            std::string status = AsString(r.at("status"));
            ++by_status[status];
            // vaccine-mgmt's ledger: one record per reservation, in the state its status implies.
            auto a = s.assignments.find(id);
            std::string state = a == s.assignments.end() ? "none" : AsString(a->second.at("state"));
            if (status == "completed") {
                int64_t lot = AsInt(r.at("vaccineId"));
                ++completed_of_lot[lot];
                if (!initial.contains(lot)) out.push_back(id_text(id) + " got a dose of lot " + std::to_string(lot));
                if (state != "assigned" || AsInt(a->second.at("vaccineId")) != lot) {
                    out.push_back(id_text(id) + " is completed with lot " + std::to_string(lot) +
                                  " but its assignment is " + state);
                }
            } else if (status == "rejected") {
                if (state != "failed") out.push_back(id_text(id) + " is rejected but its assignment is " + state);
            } else if (status == "cancelled") {
                if (state != "released" && state != "voided") {
                    out.push_back(id_text(id) + " is cancelled but its assignment is " + state);
                }
                if (!r.at("vaccineId").is_null()) out.push_back(id_text(id) + " is cancelled but keeps its lot");
            }
            // mypage: exactly one row, with the reservation's status.
            auto rows = s.my_pages.find(id);
            size_t n_rows = rows == s.my_pages.end() ? 0 : rows->second.size();
            if (n_rows != 1) {
                out.push_back(id_text(id) + " has " + std::to_string(n_rows) + " mypage rows");
            } else if (AsString(rows->second[0].at("status")) != status) {
                out.push_back(id_text(id) + " is " + status + " but mypage shows " +
                              AsString(rows->second[0].at("status")));
            }
            // approval: the one approval it was stored with, still holding the customer's turn only
            // while the reservation is completed.
            auto approvals = s.approvals.find(id);
            if (approvals == s.approvals.end() || approvals->second.size() != 1) {
                out.push_back(id_text(id) + " has " +
                              std::to_string(approvals == s.approvals.end() ? 0 : approvals->second.size()) +
                              " approvals");
            } else {
                const bj::object& approval = approvals->second[0];
                // Closed once rejected or a cancel was asked for; approved while it stands.
                std::string want = status == "completed" || status == "approved" ? "approved" : "closed";
                if (AsInt(approval.at("id")) != AsInt(r.at("approvalId"))) {
                    out.push_back(id_text(id) + " names approval " + std::to_string(AsInt(r.at("approvalId"))) +
                                  ", approval has " + std::to_string(AsInt(approval.at("id"))));
                }
                if (AsString(approval.at("status")) != want) {
                    out.push_back(id_text(id) + " is " + status + " but its approval is " +
                                  AsString(approval.at("status")));
                }
            }
        }
        // Settled: nothing waits for vaccine-mgmt any more.
        int settled = by_status["completed"] + by_status["rejected"] + by_status["cancelled"];
        if (settled != static_cast<int>(s.reservations.size())) {
            out.push_back(std::to_string(s.reservations.size() - settled) + " of " +
                          std::to_string(s.reservations.size()) + " reservations not settled (" +
                          std::to_string(by_status["approved"]) + " approved, " +
                          std::to_string(by_status["cancelRequested"]) + " cancelRequested)");
        }
        // Doses: what each lot gave = its completed reservations = its active assignments.
        std::map<int64_t, int64_t> assigned_of_lot;
        for (const auto& [id, a] : s.assignments) {
            if (AsString(a.at("state")) == "assigned") ++assigned_of_lot[AsInt(a.at("vaccineId"))];
        }
        for (auto [lot, qty0] : initial) {
            int64_t qty = s.qty.at(lot);
            if (qty < 0) out.push_back("lot " + std::to_string(lot) + " is below 0: " + std::to_string(qty));
            if (qty0 - qty != completed_of_lot[lot] || assigned_of_lot[lot] != completed_of_lot[lot]) {
                out.push_back("lot " + std::to_string(lot) + " gave " + std::to_string(qty0 - qty) + " doses, " +
                              std::to_string(completed_of_lot[lot]) + " reservations are completed with it, " +
                              std::to_string(assigned_of_lot[lot]) + " assignments hold one");
            }
        }
        // Nothing about a reservation that was never stored, but its withdrawn approval.
        for (const auto& [id, rows] : s.my_pages) {
            if (!s.reservations.contains(id))
                out.push_back("mypage shows reservation " + std::to_string(id) + " that is not stored");
        }
        for (const auto& [id, approvals] : s.approvals) {
            if (s.reservations.contains(id)) continue;
            for (const auto& a : approvals) {
                if (AsString(a.at("status")) != "withdrawn") {
                    out.push_back("approval " + std::to_string(AsInt(a.at("id"))) + " is " + AsString(a.at("status")) +
                                  " for reservation " + std::to_string(id) + " that is not stored");
                }
            }
        }
        return out;
    }

    // Waits (bounded) until the consumers caught up and every count agrees, then checks it once more
    // and reports what does not agree; the snapshot.
    Snapshot ExpectCountsAgree(const std::string& hospital, const std::map<int64_t, int64_t>& initial,
                               const std::set<int64_t>& created, const std::function<bool()>& caught_up,
                               Millis timeout = 30s) {
        std::vector<std::string> last = {"not looked yet"};
        Eventually(
            [&] {
                if (!caught_up()) {
                    last = {"consumers not caught up"};
                    return false;
                }
                auto s = Take(hospital, initial);
                last = s ? Disagreements(*s, initial, created) : std::vector<std::string>{"a read failed"};
                return last.empty();
            },
            timeout, 200ms);
        EXPECT_TRUE(caught_up()) << "consumers not caught up";
        auto s = Take(hospital, initial);
        EXPECT_TRUE(s) << "a read failed";
        if (!s) return {};
        for (const auto& d : Disagreements(*s, initial, created)) ADD_FAILURE() << d;
        std::map<std::string, int> by_status;
        for (const auto& [id, r] : s->reservations) ++by_status[AsString(r.at("status"))];
        std::cout << "[   info   ] " << s->reservations.size() << " stored:";
        for (const auto& [status, n] : by_status) std::cout << " " << status << " " << n;
        for (auto [lot, qty] : s->qty) std::cout << "; lot " << lot << " " << initial.at(lot) << "→" << qty;
        std::cout << "\n";
        return *s;
    }

    bool AllCaughtUp() {
        for (const auto& service : kConsumers) {
            if (!ConsumerCaughtUp(service)) return false;
        }
        return true;
    }

    // No replica of the service parked an event it could not apply.
    void ExpectNoDeadLetters(const std::string& service, size_t replicas = 1) {
        auto seen = ReplicaMetrics(service, replicas, 60);
        EXPECT_EQ(seen.size(), replicas) << service;
        for (const auto& [pid, text] : seen) {
            EXPECT_EQ(GroupMetric(text, "dead_letters_total", service), 0) << service << " replica " << pid;
        }
    }

    // Two replicas that split the partitions (each owns some, together all) and have applied all of
    // them; pid → events applied by it. Empty otherwise.
    std::map<int64_t, double> SplitAndCaughtUp(const std::string& service) {
        auto replicas = ReplicaMetrics(service, 2, 60);
        if (!ReplicasSplit(replicas, service)) return {};
        std::map<int64_t, double> processed;
        for (const auto& [pid, text] : replicas)
            processed[pid] = GroupMetric(text, "consumer_processed_total", service);
        return processed;
    }

    // SIGKILLs the only process of `service` while reservations and cancellations run from four
    // clients against two lots of limited doses; the supervisor starts a new one. Afterwards every
    // answer was one a client may get (no 500, no dropped connection), every 201 is stored, and every
    // count agrees. `slow_approval`: approval answers in 50–150 ms, so reservations are in flight.
    void KillUnderLoad(const std::string& service, bool slow_approval) {
        std::string hospital = UniqueName("kill");
        std::string date = DaysFromToday(30);
        // Two lots: the first to expire is used first, the other once it is empty.
        std::map<int64_t, int64_t> initial;
        int64_t first = CreateLot(hospital, 20, 200);
        int64_t second = CreateLot(hospital, 15, 300);
        ASSERT_GT(first, 0);
        ASSERT_GT(second, 0);
        initial = {{first, 20}, {second, 15}};
        std::vector<pid_t> old_pids = system().Pids(service);
        ASSERT_EQ(old_pids.size(), 1u);
        int64_t restarts_before = AsInt(system().ServiceStatus(service)["restarts"]);
        if (slow_approval) {
            // Each reservation waits 50–150 ms for approval, so the kill finds some of them in flight
            // (an open saga step, an approval granted to a caller that dies); well within its 600 ms.
            Reply faults =
                CallService("approval", "POST", "/actuator/faults", R"({"latencyMs":[50,150],"errorRate":0})");
            ASSERT_EQ(faults.status, 200) << faults.Describe();
        }

        constexpr int kWorkers = 4;
        LoadRecord rec;
        std::vector<int64_t> previous(kWorkers, 0);
        std::atomic<bool> down{false};
        int created_while_down = 0;
        int gw = gateway();
        {
            LoadLoop load(
                kWorkers,
                [&](Http& http, int worker) -> Awaitable<void> {
                    Reply post =
                        co_await http.Send(gw, "POST", "/reservations", ReserveBody(NewCustomer(), hospital, date));
                    // 504: the outcome is unknown (the process died with the request); 503: refused.
                    rec.Count("POST", post, {201, 409, 503, 504});
                    int64_t id = IdOf(post);
                    if (post.status == 201 && id <= 0)
                        rec.failures.push_back("POST 201 without an id: " + post.Describe());
                    if (id > 0) {
                        rec.created.insert(id);
                        created_while_down += down.load();
                        // Some are cancelled at once (racing the assignment), others a step later.
                        if (id % 5 == 0) {
                            Reply c = co_await http.Send(gw, "PATCH", "/reservations/" + std::to_string(id),
                                                         R"({"status":"cancelRequested"})");
                            rec.Count("PATCH", c, {200, 409, 503, 504});  // 409: rejected already
                        }
                    }
                    if (previous[worker] > 0 && previous[worker] % 3 == 0) {
                        Reply c = co_await http.Send(gw, "DELETE", "/reservations/" + std::to_string(previous[worker]));
                        rec.Count("DELETE", c, {204, 409, 503, 504});
                    }
                    previous[worker] = id;
                    Reply lot = co_await http.Send(gw, "GET", "/vaccines/" + std::to_string(first));
                    rec.Count("GET lot", lot, {200, 503});
                },
                20ms);
            // About a second of load before the crash and one and a half after the new process is ready.
            ASSERT_TRUE(load.WaitSteps(20, 1s, 10s));
            int64_t at_kill = load.iterations();
            down = true;
            std::vector<pid_t> killed = system().KillService(service);
            ASSERT_EQ(killed, old_pids);
            EXPECT_TRUE(system().WaitReplaced(service, old_pids, 20s)) << service << " was not restarted";
            down = false;
            EXPECT_GT(AsInt(system().ServiceStatus(service)["restarts"]), restarts_before);
            Reply ready = CallService(service, "GET", "/actuator/health/readiness");
            EXPECT_EQ(ready.status, 200) << ready.Describe();
            int64_t at_restart = load.iterations();
            EXPECT_TRUE(load.WaitSteps(40, 1500ms, 10s));
            load.Stop();
            std::cout << "[   info   ] " << at_kill << " steps before the kill, " << at_restart - at_kill << " while "
                      << service << " was down (" << created_while_down << " reservations approved), "
                      << load.iterations() - at_restart << " after\n";
        }
        if (slow_approval) CallService("approval", "DELETE", "/actuator/faults");
        rec.Print();
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport(LoadTally::kAll);
        EXPECT_EQ(rec.Answers("POST", 0), 0) << "transport errors; " << rec.Summary();
        EXPECT_GT(rec.Answers("POST", 201), 0) << rec.Summary();

        // Reservations work again (the gateway's circuit to a killed service may need its open wait).
        Reply again;
        EXPECT_TRUE(Eventually(
            [&] {
                again = Call("POST", "/reservations", ReserveBody(NewCustomer(), hospital, date));
                return again.status == 201;
            },
            15s, 200ms))
            << again.Describe();
        if (IdOf(again) > 0) rec.created.insert(IdOf(again));

        Snapshot s = ExpectCountsAgree(hospital, initial, rec.created, [&] { return AllCaughtUp(); });
        EXPECT_GE(s.reservations.size(), rec.created.size());
        for (const auto& c : kConsumers) ExpectNoDeadLetters(c);
    }

    // A rolling restart of `service` under a near-continuous load of reservations, reads and cancels
    // fails no request; afterwards exactly the reservations answered 201 are stored and every count agrees.
    void RollingRestartUnderLoad(const std::string& service) {
        std::string hospital = UniqueName("rolling");
        std::string date = DaysFromToday(30);
        int64_t lot = CreateLot(hospital, 100000);
        ASSERT_GT(lot, 0);
        std::map<int64_t, int64_t> initial{{lot, 100000}};
        std::vector<pid_t> old_pids = system().Pids(service);
        ASSERT_EQ(old_pids.size(), 1u);

        LoadRecord rec;
        int gw = gateway();
        LoadLoop load(
            5,
            [&](Http& http, int) -> Awaitable<void> {
                int64_t customer = NewCustomer();
                Reply post = co_await http.Send(gw, "POST", "/reservations", ReserveBody(customer, hospital, date));
                rec.Count("POST", post, {201});
                int64_t id = IdOf(post);
                if (id <= 0) co_return;
                rec.created.insert(id);
                std::string path = "/reservations/" + std::to_string(id);
                Reply get = co_await http.Send(gw, "GET", path);
                rec.Count("GET reservation", get, {200});
                if (id % 4 == 0) {
                    Reply c = co_await http.Send(gw, "PATCH", path, R"({"status":"cancelRequested"})");
                    rec.Count("PATCH", c, {200});
                }
                Reply page = co_await http.Send(
                    gw, "GET", "/myPages/search/findByCustomerId?customerId=" + std::to_string(customer));
                rec.Count("GET mypage", page, {200});
            },
            1ms);
        ASSERT_TRUE(load.WaitSteps(20, 1s, 10s));
        int64_t before = load.iterations();
        RestartService(service);
        int64_t during = load.iterations() - before;
        std::vector<pid_t> new_pids = system().Pids(service);
        EXPECT_TRUE(load.WaitSteps(40, 1s, 10s));
        load.Stop();
        std::cout << "[   info   ] " << during << " load steps during the restart of " << service << "\n";
        rec.Print();

        ASSERT_EQ(new_pids.size(), 1u);
        EXPECT_NE(new_pids[0], old_pids[0]) << "the process was not replaced";
        EXPECT_GT(during, 0) << "no request ran during the restart";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport(LoadTally::kAll);
        EXPECT_GT(rec.requests, 150) << rec.Summary();

        Snapshot s = ExpectCountsAgree(hospital, initial, rec.created, [&] { return AllCaughtUp(); });
        std::set<int64_t> stored;
        for (const auto& [id, r] : s.reservations) stored.insert(id);
        EXPECT_EQ(stored, rec.created) << "stored reservations differ from the ones answered 201";
        for (const auto& c : kConsumers) ExpectNoDeadLetters(c);
    }
};

// NFR: reservation (the saga's owner) crashes under load and is restarted; nothing answered 201 is
// lost, nothing is booked twice, and every service agrees on every reservation.
TEST_F(VaccineApprovalResilienceE2E, KilledReservationIsRestartedAndEveryCountAgrees) {
    KillUnderLoad("reservation", true);
}

// NFR: vaccine-mgmt (the asynchronous assigner) crashes under load and is restarted; reservations keep
// being approved meanwhile, and it assigns each one dose once — none lost, none twice.
TEST_F(VaccineApprovalResilienceE2E, KilledVaccineMgmtIsRestartedAndEveryCountAgrees) {
    KillUnderLoad("vaccine-mgmt", false);
}

// NFR: two replicas of each consumer (mypage, vaccine-mgmt) split the partitions; both apply events,
// and no event has an effect twice: one mypage row per reservation, no dose taken twice.
TEST_F(VaccineApprovalResilienceE2E, TwoReplicasOfMyPageAndVaccineMgmtSplitEventsWithoutDuplicates) {
    const std::vector<std::string> replicated = {"mypage", "vaccine-mgmt"};
    for (const auto& service : replicated) {
        ScaleService(service, 2);
        bj::object status = system().ServiceStatus(service);
        EXPECT_EQ(AsInt(status["replicas"]), 2) << bj::serialize(status);
        ASSERT_EQ(system().Pids(service).size(), 2u) << bj::serialize(status);
    }
    std::map<std::string, std::map<int64_t, double>> baseline;
    for (const auto& service : replicated) {
        EXPECT_TRUE(Eventually(
            [&] {
                baseline[service] = SplitAndCaughtUp(service);
                return !baseline[service].empty();
            },
            20s, 200ms))
            << service << ": the replicas do not split the partitions";
    }

    std::string hospital = UniqueName("replicas");
    std::string date = DaysFromToday(30);
    int64_t first = CreateLot(hospital, 20, 200);
    int64_t second = CreateLot(hospital, 10, 300);
    ASSERT_GT(first, 0);
    ASSERT_GT(second, 0);
    std::map<int64_t, int64_t> initial{{first, 20}, {second, 10}};

    LoadRecord rec;
    // `waves` of ten reservations at once.
    auto reserve = [&](int waves) {
        for (int wave = 0; wave < waves; ++wave) {
            std::vector<Reply> replies(10);
            http_.RunConcurrently(10, [&](int i) -> Awaitable<void> {
                replies[i] =
                    co_await http_.Send(gateway(), "POST", "/reservations", ReserveBody(NewCustomer(), hospital, date));
            });
            for (const Reply& r : replies) {
                // 503: approval too slow for the call's timeout on a busy machine; nothing is stored.
                rec.Count("POST", r, {201, 503});
                if (IdOf(r) > 0) rec.created.insert(IdOf(r));
            }
        }
    };
    // More reservations than doses; a third of them cancelled (PATCH or DELETE) while the rest are
    // being assigned, then more reservations that may get the doses given back.
    reserve(4);
    ASSERT_GE(rec.created.size(), 20u) << "too few reservations were approved";
    std::vector<int64_t> to_cancel;
    for (int64_t id : rec.created) {
        if (id % 3 == 0) to_cancel.push_back(id);
    }
    std::vector<Reply> cancels(to_cancel.size());
    http_.RunConcurrently(static_cast<int>(to_cancel.size()), [&](int i) -> Awaitable<void> {
        std::string path = "/reservations/" + std::to_string(to_cancel[i]);
        // Not a co_await inside ?: (GCC 12 destroys its temporaries twice).
        if (i % 2) {
            cancels[i] = co_await http_.Send(gateway(), "DELETE", path);
        } else {
            cancels[i] = co_await http_.Send(gateway(), "PATCH", path, R"({"status":"cancelRequested"})");
        }
    });
    for (size_t i = 0; i < cancels.size(); ++i) {
        rec.Count(i % 2 ? "DELETE" : "PATCH", cancels[i], {i % 2 ? 204 : 200, 409});  // 409: rejected already
    }
    reserve(2);
    rec.Print();
    EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport(LoadTally::kAll);

    std::map<std::string, std::map<int64_t, double>> after;
    Snapshot s = ExpectCountsAgree(hospital, initial, rec.created, [&] {
        for (const auto& service : replicated) {
            after[service] = SplitAndCaughtUp(service);
            if (after[service].empty()) return false;
        }
        return ConsumerCaughtUp("reservation") && ConsumerCaughtUp("approval");
    });
    int64_t completed = 0;
    for (const auto& [id, r] : s.reservations) completed += AsString(r.at("status")) == "completed";
    EXPECT_LE(completed, 30) << "more reservations completed than the lots hold";
    EXPECT_EQ(s.reservations.size(), rec.created.size()) << "a reservation refused with 503 was stored";

    // Both replicas of each applied some of the new events (the same two processes as before).
    for (const auto& service : replicated) {
        ASSERT_EQ(after[service].size(), 2u) << service;
        for (const auto& [pid, processed] : after[service]) {
            ASSERT_TRUE(baseline[service].contains(pid)) << service << ": replica " << pid << " is new";
            EXPECT_GT(processed, baseline[service][pid]) << service << ": replica " << pid << " applied nothing";
            std::cout << "[   info   ] " << service << " replica " << pid << " applied "
                      << processed - baseline[service][pid] << " events\n";
        }
        ExpectNoDeadLetters(service, 2);
    }

    for (const auto& service : replicated) {
        ScaleService(service, 1);
        EXPECT_EQ(system().Pids(service).size(), 1u) << service;
    }
}

// NFR: zero-downtime rolling update of reservation, proven under load.
TEST_F(VaccineApprovalResilienceE2E, RollingRestartOfReservationUnderLoadFailsNoRequest) {
    RollingRestartUnderLoad("reservation");
}

// NFR: the same for approval, the synchronous dependency every reservation waits for.
TEST_F(VaccineApprovalResilienceE2E, RollingRestartOfApprovalUnderLoadFailsNoRequest) {
    RollingRestartUnderLoad("approval");
}

}  // namespace
}  // namespace reservo::e2e
