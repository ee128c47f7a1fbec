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
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

std::string Str(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v ? AsString(*v) : "";
}
int64_t Int(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v ? AsInt(*v) : -1;
}

std::string Body(const std::string& name, int day) {
    std::string date = "2031-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
    return bj::serialize(
        bj::object{{"reservatorName", name}, {"reservationDate", date}, {"phoneNumber", "010-5555-0000"}});
}

// What the clients of a load were answered. Touched only by the load's own thread until it stops.
struct LoadRecord {
    std::map<int, int> post, patch, get;  // answers by status
    std::vector<std::string> failures;    // answers this test does not allow
    std::set<int64_t> created;            // answered 201
    std::set<int64_t> treat_asked;        // PATCH treated sent to its record, whatever the answer
    std::set<int64_t> treated;            // ... answered 200
    int64_t requests = 0;
    int turn = 0;

    int unknown_posts() const {
        int n = 0;
        for (auto [status, count] : post) n += status == 0 || status == 504 ? count : 0;
        return n;
    }
    std::string Summary() const {
        std::ostringstream out;
        out << requests << " requests; POST";
        for (auto [s, n] : post) out << " " << s << "x" << n;
        out << "; PATCH";
        for (auto [s, n] : patch) out << " " << s << "x" << n;
        out << "; GET";
        for (auto [s, n] : get) out << " " << s << "x" << n;
        return out.str();
    }
};

// Under a crash, 503 (circuit open, service down) and 504 (outcome unknown) are honest answers;
// under a rolling restart only success.
struct Allowed {
    std::set<int> post, patch, get;
};
const Allowed kUnderCrash{{201, 503, 504}, {200, 503, 504}, {200, 503, 504}};
const Allowed kUnderRestart{{201}, {200}, {200}};

class AnimalHospitalResilienceE2E : public SystemTest {
  protected:
    // A step left pending by a crashed reservation is aborted (its record canceled) after
    // abandon-after-ms; 6 s instead of 30 keeps the wait short and is still longer than any live
    // request (the gateway gives up after 5 s).
    static void SetUpTestSuite() {
        StartSystem({.system = "animal-hospital", .env = {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "6000"}}});
    }

    bool AllSettled() {
        for (std::string_view producer : {"reservation", "diagnosis", "acceptance"}) {
            if (ServiceMetric(producer, "reservo_outbox_backlog") != 0) return false;
        }
        for (std::string_view consumer : {"diagnosis", "acceptance", "notice", "lookup"}) {
            if (!ConsumerCaughtUp(consumer)) return false;
        }
        return true;
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
    static LoadLoop::Step Step(int gw, const std::string& name, LoadRecord& rec, const Allowed& ok) {
        return [gw, name, &rec, &ok](Http& http, int) -> Awaitable<void> {
            Reply post = co_await http.Send(gw, "POST", "/reservations", Body(name, rec.turn % 28 + 1));
            ++rec.requests;
            ++rec.post[post.status];
            if (!ok.post.contains(post.status)) rec.failures.push_back("POST: " + post.Describe());
            if (post.status != 201) co_return;
            int64_t id = AsInt(post.Json().as_object()["id"]);
            rec.created.insert(id);
            std::string path = "/reservations/" + std::to_string(id);
            int turn = ++rec.turn;
            if (turn % 2 == 0) {
                Reply found = co_await http.Send(
                    gw, "GET", "/medicalRecords/search/findByReservationId?reservationId=" + std::to_string(id));
                ++rec.requests;
                ++rec.get[found.status];
                if (!ok.get.contains(found.status)) rec.failures.push_back("GET record: " + found.Describe());
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
                ++rec.requests;
                ++rec.patch[treat.status];
                if (treat.status == 200) rec.treated.insert(id);
                if (!ok.patch.contains(treat.status))
                    rec.failures.push_back("PATCH " + record + ": " + treat.Describe());
            } else if (turn % 3 == 0) {
                Reply change = co_await http.Send(gw, "PATCH", path, R"({"reservationDate":"2031-02-01"})");
                ++rec.requests;
                ++rec.patch[change.status];
                if (!ok.patch.contains(change.status))
                    rec.failures.push_back("PATCH " + path + ": " + change.Describe());
            } else {
                Reply get = co_await http.Send(gw, "GET", path);
                ++rec.requests;
                ++rec.get[get.status];
                if (!ok.get.contains(get.status)) rec.failures.push_back("GET " + path + ": " + get.Describe());
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
        EXPECT_LE(stored.size(), rec.created.size() + rec.unknown_posts()) << "reservations nobody was told about";

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
        for (const std::string& service : system().services()) {
            auto parked = ServiceMetric(service, "reservo_dead_letters_total{group=\"" + service + "\"}");
            EXPECT_EQ(parked.value_or(0), 0) << service << " dead-lettered events";
        }
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
            LoadLoop load(6, Step(gateway(), name, rec, kUnderCrash), 5ms);
            auto started = std::chrono::steady_clock::now();
            ASSERT_TRUE(Eventually(
                [&] { return load.iterations() >= 20 && std::chrono::steady_clock::now() - started >= 1s; }, 20s));
            for (const auto& v : victims) EXPECT_EQ(system().KillService(v, SIGKILL), old_pids[v]) << v;
            for (const auto& v : victims) {
                EXPECT_TRUE(system().WaitReplaced(v, old_pids[v], 20s)) << v << " was not restarted";
            }
            int64_t at_restart = load.iterations();
            auto restarted = std::chrono::steady_clock::now();
            EXPECT_TRUE(Eventually(
                [&] {
                    return load.iterations() >= at_restart + 40 &&
                           std::chrono::steady_clock::now() - restarted >= 1500ms;
                },
                20s));
            load.Stop();
        }
        std::cout << "[   info   ] " << rec.Summary() << "\n";
        for (size_t i = 0; i < rec.failures.size() && i < 20; ++i) ADD_FAILURE() << rec.failures[i];
        EXPECT_EQ(rec.failures.size(), 0u) << "of " << rec.requests << " requests";
        EXPECT_EQ(rec.post[0], 0) << "transport errors: the gateway was never down";
        EXPECT_GT(rec.post[201], 0);

        // Reservations work again (a circuit may need its open wait first).
        Reply again;
        EXPECT_TRUE(Eventually(
            [&] {
                again = Call("POST", "/reservations", Body(name, 1));
                ++rec.post[again.status];
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
        std::vector<pid_t> old_pids = system().Pids(service);
        ASSERT_EQ(old_pids.size(), 1u);
        LoadRecord rec;
        int64_t during = 0;
        std::vector<pid_t> new_pids;
        {
            LoadLoop load(5, Step(gateway(), name, rec, kUnderRestart), 1ms);
            auto started = std::chrono::steady_clock::now();
            ASSERT_TRUE(Eventually(
                [&] { return load.iterations() >= 20 && std::chrono::steady_clock::now() - started >= 1s; }, 20s));
            int64_t before = load.iterations();
            RestartService(service);
            during = load.iterations() - before;
            new_pids = system().Pids(service);
            auto restarted = std::chrono::steady_clock::now();
            EXPECT_TRUE(Eventually(
                [&] {
                    return load.iterations() >= before + during + 40 &&
                           std::chrono::steady_clock::now() - restarted >= 1s;
                },
                20s));
            load.Stop();
        }
        std::cout << "[   info   ] " << rec.Summary() << "; " << during << " load steps during the restart\n";
        ASSERT_EQ(new_pids.size(), 1u);
        EXPECT_NE(new_pids[0], old_pids[0]) << "the process was not replaced";
        EXPECT_GT(during, 0) << "no request ran during the restart";
        for (size_t i = 0; i < rec.failures.size() && i < 20; ++i) ADD_FAILURE() << rec.failures[i];
        EXPECT_EQ(rec.failures.size(), 0u) << "of " << rec.requests << " requests";
        EXPECT_GT(rec.requests, 150);
        EXPECT_GT(rec.patch[200], 0);
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
        LoadLoop load(8, Step(gateway(), name, rec, kUnderCrash), 1ms);
        ASSERT_TRUE(Eventually([&] { return load.iterations() >= 16; }, 20s));
        EXPECT_EQ(system().KillService("reservation", SIGKILL), old);
        EXPECT_TRUE(system().WaitReplaced("reservation", old, 20s));
        load.Stop();
    }
    ASSERT_LT(http_.Call(PortOf("diagnosis"), "DELETE", "/actuator/faults").status, 300);
    std::cout << "[   info   ] " << rec.Summary() << "\n";
    for (size_t i = 0; i < rec.failures.size() && i < 20; ++i) ADD_FAILURE() << rec.failures[i];
    ExpectConsistent(name, rec);
    int64_t aborted = canceled() - canceled_before;
    std::cout << "[   info   ] records canceled by the sweeper's aborts: " << aborted << "\n";
    // Only a reservation whose client never learned the outcome can have been aborted.
    EXPECT_LE(aborted, rec.unknown_posts());
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
    auto gauge = [](const std::string& text, const std::string& metric, const std::string& service) {
        return Metric(text, "reservo_" + metric + "{group=\"" + service + "\"}").value_or(-1);
    };
    // The shared port hands each new connection to either replica: one connection per look. Both
    // replicas seen, each owning some partitions, together all, with nothing left to apply.
    std::map<std::string, std::map<int64_t, std::string>> seen;
    auto split = [&](const std::string& service) {
        std::map<int64_t, std::string> found;
        for (int i = 0; i < 40 && found.size() < 2; ++i) {
            http::Client client(http_.io(), "http://127.0.0.1:" + std::to_string(PortOf(service)));
            Reply a = http_.Call(client, "GET", "/actuator/info");
            Reply m = http_.Call(client, "GET", "/actuator/prometheus");
            Reply b = http_.Call(client, "GET", "/actuator/info");
            if (a.status != 200 || m.status != 200 || b.status != 200) continue;
            int64_t pid = AsInt(a.Json().as_object()["pid"]);
            if (pid == AsInt(b.Json().as_object()["pid"])) found[pid] = m.body;
        }
        seen[service] = found;
        if (found.size() != 2) return false;
        double owned = 0;
        for (auto& [pid, text] : found) {
            if (gauge(text, "consumer_owned_partitions", service) <= 0) return false;
            if (gauge(text, "consumer_lag", service) != 0) return false;
            owned += gauge(text, "consumer_owned_partitions", service);
        }
        return owned == system().partitions();
    };
    for (const auto& service : scaled) {
        ASSERT_TRUE(Eventually([&] { return split(service); }, 15s, 200ms))
            << service << ": replicas seen " << seen[service].size();
    }

    std::string name = UniqueName("replicas");
    LoadRecord rec;
    {
        LoadLoop load(5, Step(gateway(), name, rec, kUnderRestart), 1ms);
        ASSERT_TRUE(Eventually([&] { return load.iterations() >= 150; }, 20s));
        load.Stop();
    }
    std::cout << "[   info   ] " << rec.Summary() << "\n";
    for (size_t i = 0; i < rec.failures.size() && i < 20; ++i) ADD_FAILURE() << rec.failures[i];
    auto settled = [&] {
        for (std::string_view producer : {"reservation", "diagnosis"}) {
            if (ServiceMetric(producer, "reservo_outbox_backlog") != 0) return false;
        }
        if (!ConsumerCaughtUp("diagnosis")) return false;
        return std::all_of(scaled.begin(), scaled.end(), [&](const std::string& s) { return split(s); });
    };
    ExpectConsistent(name, rec, settled);
    for (const auto& service : scaled) {
        for (auto& [pid, text] : seen[service]) {
            std::cout << "[   info   ] " << service << " replica " << pid << ": owns "
                      << gauge(text, "consumer_owned_partitions", service) << " partitions, applied "
                      << gauge(text, "consumer_processed_total", service) << " events\n";
            EXPECT_GT(gauge(text, "consumer_processed_total", service), 0) << service << " replica " << pid;
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
