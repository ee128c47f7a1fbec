// End-to-end resilience of system `animal-hospital` (seed 003): services SIGKILLed in the middle
// of a load of reservations, treatments and changes, and rolling restarts under load.
//
// Every test reserves under its own name and, once every outbox is relayed and every consumer
// caught up, checks that every count agrees (ExpectConsistent): each stored reservation has one
// medical record, and no record is left open without its reservation; each treatment one bill,
// nothing else a bill; each reservation one "reserved" notice and one lookup row that shows what
// is stored; what the clients were answered matches what is stored; no event was dead-lettered.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
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

std::string Body(const std::string& name, int day) {
    std::string date = "2031-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
    return bj::serialize(
        bj::object{{"reservatorName", name}, {"reservationDate", date}, {"phoneNumber", "010-5555-0000"}});
}

// What the clients of a load were answered (the tally), and which reservations they were told of.
// Touched only by the load's own thread until it stops. The answers a load accepts: under a crash
// kAnswersUnderCrash, under a rolling restart kAnswersUnderRestart (only success).
struct LoadRecord : LoadTally {
    std::set<int64_t> created;      // answered 201
    std::set<int64_t> treat_asked;  // PATCH treated sent to its record, whatever the answer
    std::set<int64_t> treated;      // ... answered 200
    int turn = 0;
};

class AnimalHospitalResilienceE2E : public SystemTest {
  protected:
    // A step left pending by a crashed reservation is aborted (its record canceled) after
    // abandon-after-ms; 6 s instead of 30 keeps the wait short and is still longer than any live
    // request (the gateway gives up after 5 s).
    static void SetUpTestSuite() {
        StartSystem({.system = "animal-hospital", .env = {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "6000"}}});
    }

    bool AllSettled() {
        return SystemTest::AllSettled({"reservation", "diagnosis", "acceptance"},
                                      {"diagnosis", "acceptance", "notice", "lookup"});
    }

    // Records not canceled whose reservation is not stored (a saga not yet aborted); every one
    // when a list does not answer.
    std::optional<std::vector<bj::object>> OpenOrphans() {
        auto reservations = TryListAll(gateway(), "/reservations", "reservations");
        auto records = TryListAll(PortOf("diagnosis"), "/medicalRecords", "medicalRecords");
        if (!reservations || !records) return std::nullopt;
        std::set<int64_t> stored;
        for (auto& r : *reservations) stored.insert(Int(r, "id"));
        std::vector<bj::object> out;
        for (auto& rec : *records) {
            if (Str(rec, "status") != "canceled" && !stored.contains(Int(rec, "reservationId"))) out.push_back(rec);
        }
        return out;
    }

    // A load step: reserve; treat every second reservation made, change every third, read the rest.
    static LoadLoop::Step Step(int gw, const std::string& name, LoadRecord& rec, const AllowedAnswers& ok) {
        return [gw, name, &rec, &ok](Http& http, int) -> Awaitable<void> {
            Reply post = co_await http.Send(gw, "POST", "/reservations", Body(name, rec.turn % 28 + 1));
            rec.Count("POST", post, ok.post);
            if (post.status != 201) co_return;
            int64_t id = AsInt(post.Json().as_object()["id"]);
            rec.created.insert(id);
            std::string path = "/reservations/" + std::to_string(id);
            int turn = ++rec.turn;
            if (turn % 2 == 0) {
                Reply found = co_await http.Send(
                    gw, "GET", "/medicalRecords/search/findByReservationId?reservationId=" + std::to_string(id));
                rec.Count("GET", found, ok.get, "GET record");
                if (found.status != 200) co_return;
                bj::value page = found.Json();
                const bj::value* embedded = page.is_object() ? page.as_object().if_contains("_embedded") : nullptr;
                const bj::value* list =
                    embedded && embedded->is_object() ? embedded->as_object().if_contains("medicalRecords") : nullptr;
                bj::array rows = list && list->is_array() ? list->as_array() : bj::array{};
                if (rows.size() != 1) {
                    rec.failures.push_back("reservation " + std::to_string(id) + " has " + std::to_string(rows.size()) +
                                           " records");
                    co_return;
                }
                std::string record = "/medicalRecords/" + std::to_string(AsInt(rows[0].as_object().at("id")));
                rec.treat_asked.insert(id);
                Reply treat = co_await http.Send(gw, "PATCH", record, R"({"treatment":"rest","status":"treated"})");
                rec.Count("PATCH", treat, ok.patch, "PATCH " + record);
                if (treat.status == 200) rec.treated.insert(id);
            } else if (turn % 3 == 0) {
                Reply change = co_await http.Send(gw, "PATCH", path, R"({"reservationDate":"2031-02-01"})");
                rec.Count("PATCH", change, ok.patch, "PATCH " + path);
            } else {
                Reply get = co_await http.Send(gw, "GET", path);
                rec.Count("GET", get, ok.get, "GET " + path);
            }
        };
    }

    void ExpectConsistent(const std::string& name, const LoadRecord& rec) {
        ExpectConsistent(name, rec, [this] { return AllSettled(); });
    }

    // The same, with `settled` saying when every event was applied (replicas need their own look).
    void ExpectConsistent(const std::string& name, const LoadRecord& rec, const std::function<bool()>& settled) {
        std::optional<std::vector<bj::object>> orphans;
        EXPECT_TRUE(Eventually(
            [&] {
                if (!settled()) return false;
                orphans = OpenOrphans();
                return orphans && orphans->empty();
            },
            30s, 200ms))
            << "not settled, or records left open without their reservation";
        if (orphans) {
            for (auto& o : *orphans) ADD_FAILURE() << "open record without its reservation: " << bj::serialize(o);
        }

        auto reservations =
            TryListAll(gateway(), "/reservations/search/findByReservatorName?reservatorName=" + name, "reservations");
        ASSERT_TRUE(reservations);
        std::map<int64_t, bj::object> stored;
        for (auto& r : *reservations) stored[Int(r, "id")] = r;
        for (int64_t id : rec.created)
            EXPECT_TRUE(stored.contains(id)) << "reservation " << id << " answered 201 is lost";
        EXPECT_LE(stored.size(), rec.created.size() + rec.Unknown("POST"))
            << "reservations nobody was told about; " << rec.Summary();

        int bills = 0;
        for (const auto& [id, r] : stored) {
            std::string key = "?reservationId=" + std::to_string(id);
            auto records = TryListAll(gateway(), "/medicalRecords/search/findByReservationId" + key, "medicalRecords");
            auto billed =
                TryListAll(gateway(), "/financialManagements/search/findByReservationId" + key, "financialManagements");
            auto notices = TryListAll(gateway(), "/notices/search/findByReservationId" + key, "notices");
            auto stats =
                TryListAll(gateway(), "/reservationStats/search/findByReservationId" + key, "reservationStats");
            ASSERT_TRUE(records && billed && notices && stats) << "a list did not answer";
            ASSERT_EQ(records->size(), 1u) << "reservation " << id << " has " << records->size() << " records";
            std::string record_status = Str((*records)[0], "status");
            if (rec.treated.contains(id)) {
                EXPECT_EQ(record_status, "treated") << id;
            }
            if (!rec.treat_asked.contains(id)) {
                EXPECT_EQ(record_status, "diagnosed") << id;
            }
            EXPECT_EQ(billed->size(), record_status == "treated" ? 1u : 0u) << "bills of reservation " << id;
            bills += static_cast<int>(billed->size());
            int reserved_notices = 0;
            for (auto& n : *notices) reserved_notices += Str(n, "reservationStatus") == "reserved";
            EXPECT_EQ(reserved_notices, 1) << "'reserved' notices of reservation " << id;
            ASSERT_EQ(stats->size(), 1u) << "lookup rows of reservation " << id;
            const bj::object& stat = (*stats)[0];
            EXPECT_EQ(Str(stat, "reservationStatus"), Str(r, "status")) << id;
            EXPECT_EQ(Str(stat, "reservationDate"), Str(r, "reservationDate")) << id;
            EXPECT_EQ(Str(stat, "diagnosisStatus"), record_status) << id;
            EXPECT_EQ(Str(stat, "paymentStatus"), record_status == "treated" ? "billed" : "") << id;
        }
        EXPECT_GE(bills, static_cast<int>(rec.treated.size()));
        ExpectNoDeadLetters();
    }

    // Runs a load, SIGKILLs `victims` mid-load, waits until the supervisor replaced them, keeps the
    // load going a while longer, then checks that every count agrees.
    void KillUnderLoad(const std::vector<std::string>& victims) {
        std::string name = UniqueName("kill");
        std::map<std::string, std::vector<pid_t>> old_pids;
        for (const auto& v : victims) {
            old_pids[v] = system().Pids(v);
            ASSERT_EQ(old_pids[v].size(), 1u) << v;
        }
        LoadRecord rec;
        {
            LoadLoop load(6, Step(gateway(), name, rec, kAnswersUnderCrash), 5ms);
            ASSERT_TRUE(load.WaitSteps(20, 1s, 20s));
            for (const auto& v : victims) EXPECT_EQ(system().KillService(v, SIGKILL), old_pids[v]) << v;
            for (const auto& v : victims) {
                EXPECT_TRUE(system().WaitReplaced(v, old_pids[v], 20s)) << v << " was not restarted";
            }
            EXPECT_TRUE(load.WaitSteps(40, 1500ms, 20s));
            load.Stop();
        }
        std::cout << "[   info   ] " << rec.Summary() << "\n";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
        EXPECT_EQ(rec.Answers("POST", 0), 0) << "transport errors: the gateway was never down; " << rec.Summary();
        EXPECT_GT(rec.Answers("POST", 201), 0) << rec.Summary();

        // Reservations work again (a circuit may need its open wait first).
        Reply again;
        EXPECT_TRUE(Eventually(
            [&] {
                again = Call("POST", "/reservations", Body(name, 1));
                rec.Tally("POST", again);
                return again.status == 201;
            },
            15s, 200ms))
            << again.Describe();
        if (again.status == 201) rec.created.insert(AsInt(again.Json().as_object()["id"]));
        ExpectConsistent(name, rec);
    }

    // A near-continuous load across `reservo restart animal-hospital/SERVICE`: no request may fail.
    void RestartUnderLoad(const std::string& service) {
        std::string name = UniqueName("rolling");
        ASSERT_EQ(system().Pids(service).size(), 1u);
        LoadRecord rec;
        int64_t during = 0;
        {
            LoadLoop load(5, Step(gateway(), name, rec, kAnswersUnderRestart), 1ms);
            during = RollingRestart(service, load);
        }
        ASSERT_GE(during, 0);
        std::cout << "[   info   ] " << rec.Summary() << "; " << during << " load steps during the restart\n";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
        EXPECT_GT(rec.requests, 150) << rec.Summary();
        EXPECT_GT(rec.Answers("PATCH", 200), 0) << rec.Summary();
        ExpectConsistent(name, rec);
    }
};

// NFR: a crashed diagnosis (the synchronous dependency) is restarted; reservations asked meanwhile
// were refused (503) or stored with their record, never half-made.
TEST_F(AnimalHospitalResilienceE2E, KilledDiagnosisIsRestartedAndEveryCountAgrees) { KillUnderLoad({"diagnosis"}); }

// NFR: a crashed reservation (the saga's owner): a record opened for a reservation never stored
// is canceled by the sweeper; nothing is lost or doubled.
TEST_F(AnimalHospitalResilienceE2E, KilledReservationIsRestartedAndEveryCountAgrees) { KillUnderLoad({"reservation"}); }

// A reservation killed while its calls to a slow diagnosis are in flight: the records opened for
// reservations never stored are canceled once the sweeper aborts their steps (abandon-after-ms).
TEST_F(AnimalHospitalResilienceE2E, ReservationKilledMidCallLeavesNoOpenRecord) {
    auto canceled = [&] {
        auto rows =
            TryListAll(PortOf("diagnosis"), "/medicalRecords/search/findByStatus?status=canceled", "medicalRecords");
        return rows ? static_cast<int64_t>(rows->size()) : -1;
    };
    int64_t canceled_before = canceled();
    ASSERT_GE(canceled_before, 0);
    Reply faults =
        http_.Call(PortOf("diagnosis"), "POST", "/actuator/faults", R"({"latencyMs":[250,350],"errorRate":0})");
    ASSERT_EQ(faults.status, 200) << faults.Describe();
    std::string name = UniqueName("midcall");
    std::vector<pid_t> old = system().Pids("reservation");
    LoadRecord rec;
    {
        LoadLoop load(8, Step(gateway(), name, rec, kAnswersUnderCrash), 1ms);
        ASSERT_TRUE(load.WaitSteps(16, 0ms, 20s));
        EXPECT_EQ(system().KillService("reservation", SIGKILL), old);
        EXPECT_TRUE(system().WaitReplaced("reservation", old, 20s));
        load.Stop();
    }
    ASSERT_LT(http_.Call(PortOf("diagnosis"), "DELETE", "/actuator/faults").status, 300);
    std::cout << "[   info   ] " << rec.Summary() << "\n";
    EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
    ExpectConsistent(name, rec);
    int64_t aborted = canceled() - canceled_before;
    std::cout << "[   info   ] records canceled by the sweeper's aborts: " << aborted << "\n";
    // Only a reservation whose client never learned the outcome can have been aborted.
    EXPECT_LE(aborted, rec.Unknown("POST")) << rec.Summary();
}

// NFR: the consumers crash together; what they had not applied is applied once after the restart.
TEST_F(AnimalHospitalResilienceE2E, KilledAcceptanceNoticeAndLookupCatchUpWithoutDuplicates) {
    KillUnderLoad({"acceptance", "notice", "lookup"});
}

// NFR: replicas of the consumers (acceptance, notice, lookup) split the events between them, and
// every effect happens once: one bill per treatment, one notice per reservation event, one lookup
// row per reservation.
TEST_F(AnimalHospitalResilienceE2E, TwoReplicasOfEachConsumerSplitTheEventsWithoutDuplicates) {
    const std::vector<std::string> scaled = {"acceptance", "notice", "lookup"};
    for (const auto& service : scaled) {
        ScaleService(service, 2);
        ASSERT_EQ(system().Pids(service).size(), 2u) << service;
    }
    // Both replicas seen, each owning some partitions, together all, with nothing left to apply.
    std::map<std::string, std::map<int64_t, std::string>> seen;
    auto split = [&](const std::string& service) {
        seen[service] = ReplicaMetrics(service);
        return ReplicasSplit(seen[service], service);
    };
    for (const auto& service : scaled) {
        ASSERT_TRUE(Eventually([&] { return split(service); }, 15s, 200ms))
            << service << ": replicas seen " << seen[service].size();
    }

    std::string name = UniqueName("replicas");
    LoadRecord rec;
    {
        LoadLoop load(5, Step(gateway(), name, rec, kAnswersUnderRestart), 1ms);
        ASSERT_TRUE(load.WaitSteps(150, 0ms, 20s));
        load.Stop();
    }
    std::cout << "[   info   ] " << rec.Summary() << "\n";
    EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
    auto settled = [&] {
        if (!SystemTest::AllSettled({"reservation", "diagnosis"}, {"diagnosis"})) return false;
        return std::all_of(scaled.begin(), scaled.end(), [&](const std::string& s) { return split(s); });
    };
    ExpectConsistent(name, rec, settled);
    for (const auto& service : scaled) {
        for (auto& [pid, text] : seen[service]) {
            std::cout << "[   info   ] " << service << " replica " << pid << ": owns "
                      << GroupMetric(text, "consumer_owned_partitions", service) << " partitions, applied "
                      << GroupMetric(text, "consumer_processed_total", service) << " events\n";
            EXPECT_GT(GroupMetric(text, "consumer_processed_total", service), 0) << service << " replica " << pid;
        }
    }
    for (const auto& service : scaled) ScaleService(service, 1);
}

// NFR: zero-downtime redeploy of reservation, proven under load.
TEST_F(AnimalHospitalResilienceE2E, RollingRestartOfReservationUnderLoadFailsNoRequest) {
    RestartUnderLoad("reservation");
}

// NFR: the same for diagnosis, which every reservation calls synchronously.
TEST_F(AnimalHospitalResilienceE2E, RollingRestartOfDiagnosisUnderLoadFailsNoRequest) { RestartUnderLoad("diagnosis"); }

}  // namespace
}  // namespace reservo::e2e
