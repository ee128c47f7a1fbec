// Beyond one machine: the vaccine system on Kafka (librdkafka's mock cluster with 3 brokers, run by
// `reservo kafka-dev`) and PostgreSQL (Debian's, started by `reservo up --engines kafka,postgres` in
// the data directory), tried as a user would; the database or the brokers going away mid-load; and
// hotel's shipped polyglot configuration; a database that falls silent holding no service's loop. The rest of the
// vaccine suites run on these engines too (ctest's *_on_kafka_postgres entries set E2E_ENGINES).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "kit/store/postgres.hpp"
#include "tests/e2e/load_tally.hpp"
#include "tests/e2e/vaccine_helpers.hpp"

namespace reservo::e2e {
namespace {

using namespace std::chrono_literals;

// The local server `up` started: DATA/postgres, reached on its socket.
std::unique_ptr<store::PostgresDatabase> OpenSchema(const System& system, const std::string& schema) {
    const std::string url =
        "postgresql:///postgres?host=" + system.data_dir() + "/postgres/run&port=5432&user=postgres";
    auto db = store::PostgresDatabase::Open({.url = url, .schema = schema});
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
}

int64_t CountRows(store::Database& db, const std::string& table) {
    auto row = db.QueryOne(store::Sql{"count", "SELECT COUNT(*) FROM " + table});
    EXPECT_TRUE(row) << row.error().message;
    return row ? row->Int(0) : -1;
}

class EnginesE2E : public VaccineTest {
  protected:
    static void SetUpTestSuite() {
        SystemOptions options = VaccineSystem();
        options.up_args = {"--faults", "--engines", "kafka,postgres"};
        // A reservation whose own store went away after its dose was taken cannot record its abort
        // then: the sweeper gives the dose back after abandon-after-ms. Soon, for the test.
        options.env = {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "3000"}};
        StartSystem(options);
    }

    // Reserves from `lot` with 4 workers while `outage` runs; returns what the clients saw.
    struct Record : LoadTally {
        std::set<int64_t> created;
    };
    Record ReserveDuring(int64_t lot, int64_t first_user, const AllowedAnswers& allowed,
                         const std::function<void()>& outage) {
        Record rec;
        const int gw = gateway();
        LoadLoop load(
            4,
            [&](Http& http, int worker) -> Awaitable<void> {
                Reply post = co_await http.Send(gw, "POST", "/reservations", ReservationBody(first_user + worker, lot));
                rec.Count("POST", post, allowed.post);
                if (post.status == 201) rec.created.insert(AsInt(post.Json().as_object()["id"]));
            },
            20ms);
        EXPECT_TRUE(load.WaitSteps(20, 800ms));
        outage();
        EXPECT_TRUE(load.WaitSteps(40, 1500ms));
        load.Stop();
        std::cout << "[   info   ] " << rec.Summary() << "\n";
        EXPECT_EQ(rec.failures.size(), 0u) << rec.FailureReport();
        return rec;
    }

    // After an outage and a reservation once it serves again (by `user`): every dose taken is a stored
    // reservation, each 201 is stored, a reservation stored without a 201 is one whose commit outcome
    // was unknown (504), and each reached the view and the notifications once.
    void ExpectNothingLostOrDoubled(const std::string& hospital, int64_t lot, int64_t qty, Record& rec, int64_t user) {
        if (int64_t id = ReserveWhenServing(user, lot); id > 0) rec.created.insert(id);
        ExpectDosesMatchReservations(lot, qty);
        std::set<int64_t> stored;
        for (auto& r : ReservationsOfLot(lot)) stored.insert(AsInt(r["id"]));
        for (int64_t id : rec.created) {
            EXPECT_TRUE(stored.contains(id)) << "reservation " << id << " answered 201 is lost";
        }
        EXPECT_LE(stored.size() - rec.created.size(), static_cast<size_t>(rec.Answers("POST", 504)));
        ExpectEveryReservationOnceDownstream(hospital, stored);
    }
};

TEST_F(EnginesE2E, AReservationFlowsThroughKafkaAndPostgres) {
    std::string hospital = UniqueName("engines");
    int64_t lot = CreateLot(hospital, 5);
    ASSERT_GT(lot, 0);
    Reply r = Call("POST", "/reservations", ReservationBody(1, lot));
    ASSERT_EQ(r.status, 201) << r.Describe();
    const int64_t id = AsInt(r.Json().as_object()["id"]);
    ExpectEveryReservationOnceDownstream(hospital, {id});
    EXPECT_EQ(LotQty(lot), 4);

    // Each service's rows are in its own schema of the local PostgreSQL, and in no SQLite file.
    auto reservations = OpenSchema(system(), "vaccine_reservation");
    ASSERT_TRUE(reservations);
    EXPECT_GE(CountRows(*reservations, "reservations"), 1);
    auto lots = OpenSchema(system(), "vaccine_vaccine_mgmt");
    ASSERT_TRUE(lots);
    EXPECT_GE(CountRows(*lots, "vaccine_mgmts"), 1);
    for (const char* file : {"vaccine-mgmt.db", "reservation.db", "mypage.db", "events.db"}) {
        EXPECT_FALSE(std::filesystem::exists(system().data_dir() + "/vaccine/" + file)) << file;
    }

    // On the topic: CloudEvents in Kafka's binary content mode, keyed by the correlation key.
    ASSERT_NE(system().kafka(), nullptr);
    RunResult kcat = e2e::Run({"/usr/bin/kcat", "-C", "-b", system().kafka()->brokers(), "-t", "vaccine", "-o",
                               "beginning", "-e", "-q", "-J"},
                              {}, 20s);
    ASSERT_EQ(kcat.exit_code, 0) << kcat.output;
    bool found = false;
    int64_t partition = -1;
    std::istringstream lines(kcat.output);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("{")) continue;  // kcat's own messages share the output
        bj::value v = bj::parse(line);
        bj::object& m = v.as_object();
        std::map<std::string, std::string> headers;
        const bj::array& h = m["headers"].as_array();
        for (size_t i = 0; i + 1 < h.size(); i += 2) headers[AsString(h[i])] = AsString(h[i + 1]);
        if (headers["ce_type"] != "VaccineReserved" || headers["ce_subject"] != std::to_string(id)) continue;
        found = true;
        partition = AsInt(m["partition"]);
        EXPECT_EQ(AsString(m["key"]), std::to_string(id)) << line;
        EXPECT_EQ(headers["ce_specversion"], "1.0") << line;
        EXPECT_EQ(headers["ce_source"], "/vaccine/reservation") << line;
        EXPECT_FALSE(headers["ce_id"].empty()) << line;
        EXPECT_FALSE(headers["ce_time"].empty()) << line;
        EXPECT_EQ(headers["content-type"], "application/json") << line;
        bj::value data = bj::parse(AsString(m["payload"]));
        EXPECT_EQ(AsInt(data.as_object()["id"]), id) << line;  // the value is the event's data alone
    }
    EXPECT_TRUE(found) << "no VaccineReserved event for reservation " << id << " on the topic:\n" << kcat.output;

    // The gateway's timeline reads the same topic: the reservation's event (the lot's events carry
    // its number too), at the partition kcat saw its key go to.
    bj::array events;
    EXPECT_TRUE(Eventually([&] {
        events.clear();
        Reply listed = Call("GET", "/events?subject=" + std::to_string(id));
        const bj::value all = listed.Json();
        if (listed.status != 200 || !all.is_array()) return false;
        for (const auto& e : all.as_array()) {
            if (e.at("source") == "/vaccine/reservation") events.push_back(e);
        }
        return !events.empty();
    })) << events;
    ASSERT_EQ(events.size(), 1u) << events;
    const bj::object& reserved = events[0].as_object();
    EXPECT_EQ(reserved.at("type"), "VaccineReserved");
    EXPECT_EQ(reserved.at("source"), "/vaccine/reservation");
    EXPECT_EQ(AsString(reserved.at("subject")), std::to_string(id));
    EXPECT_EQ(AsInt(reserved.at("data").at("id")), id);
    EXPECT_EQ(reserved.at("traceId").as_string().size(), 32u) << reserved;
    EXPECT_EQ(AsInt(reserved.at("partition")), partition) << reserved;
}

TEST_F(EnginesE2E, TheDatabaseGoingAwayMidLoadLosesAndDoublesNothing) {
    constexpr int64_t kQty = 10000;
    std::string hospital = UniqueName("pg-outage");
    int64_t lot = CreateLot(hospital, kQty);
    ASSERT_GT(lot, 0);
    // A request waits for the database within its deadline; past it nothing was done (503), or a
    // commit's outcome is unknown (504).
    AllowedAnswers allowed{.post = {201, 503, 504}};
    Record rec = ReserveDuring(lot, 8000, allowed, [&] {
        ASSERT_TRUE(system().SetPostgresUp(false));
        const std::string url =
            "postgresql:///postgres?host=" + system().data_dir() + "/postgres/run&port=5432&user=postgres";
        EXPECT_FALSE(store::PostgresDatabase::Open({.url = url, .schema = "probe"})) << "the database is still up";
        std::this_thread::sleep_for(1500ms);
        ASSERT_TRUE(system().SetPostgresUp(true));
    });
    ExpectNothingLostOrDoubled(hospital, lot, kQty, rec, 8100);
}

TEST_F(EnginesE2E, ASilentDatabaseHoldsNoServicesEventLoop) {
    constexpr int64_t kQty = 10000;
    std::string hospital = UniqueName("pg-silent");
    int64_t lot = CreateLot(hospital, kQty);
    ASSERT_GT(lot, 0);
    // The server paused with requests in flight: connected, but it answers nothing. Each service waits
    // for it on fibers, so its loop goes on: probes answer at once, and requests end within their
    // deadline (503 nothing done, 504 a commit's outcome unknown) instead of hanging.
    AllowedAnswers allowed{.post = {201, 503, 504}};
    int probes = 0;
    std::vector<std::string> unanswered;
    Record rec = ReserveDuring(lot, 7000, allowed, [&] {
        ASSERT_TRUE(system().PausePostgres(true));
        Http probe;
        for (int round = 0; round < 8; ++round) {
            for (const char* service : {"reservation", "vaccine-mgmt", "mypage"}) {
                Reply r = probe.Call(system().PortOf(service), "GET", "/actuator/health/liveness", {}, 1000ms);
                ++probes;
                if (r.status != 200) unanswered.push_back(std::string(service) + ": " + r.Describe());
            }
            std::this_thread::sleep_for(150ms);
        }
        ASSERT_TRUE(system().PausePostgres(false));
    });
    EXPECT_EQ(probes, 24);
    EXPECT_TRUE(unanswered.empty()) << unanswered.size() << " liveness probes went unanswered while the database "
                                    << "was silent, e.g. " << (unanswered.empty() ? "" : unanswered.front());
    ExpectNothingLostOrDoubled(hospital, lot, kQty, rec, 7100);
}

TEST_F(EnginesE2E, TheBrokersGoingAwayMidLoadLoseAndDoubleNothing) {
    constexpr int64_t kQty = 10000;
    std::string hospital = UniqueName("kafka-outage");
    int64_t lot = CreateLot(hospital, kQty);
    ASSERT_GT(lot, 0);
    // Reservations do not wait for the event log: the outbox keeps the events until it is back.
    Record rec = ReserveDuring(lot, 9000, {.post = {201}}, [&] {
        // Longer than message.timeout.ms (5 s) and the session timeout (4 s): deliveries in flight fail
        // and are sent again, members time out and the group rebalances when the brokers are back.
        ASSERT_TRUE(system().kafka()->SetDown(true));
        std::this_thread::sleep_for(7s);
        ASSERT_TRUE(system().kafka()->SetDown(false));
    });
    EXPECT_GT(rec.Answers("POST", 201), 0);
    ExpectDosesMatchReservations(lot, kQty);
    ExpectEveryReservationOnceDownstream(hospital, rec.created);
}

// hotel as shipped: room and payment on PostgreSQL, the reservation side on SQLite.
class PolyglotE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() { StartSystem({.system = "hotel"}); }
};

TEST_F(PolyglotE2E, HotelKeepsRoomsAndPaymentsOnPostgresAndReservationsOnSqlite) {
    Reply room =
        Call("POST", "/roomInfos", R"({"roomNo":"P1","roomSize":"Deluxe","amenityInfo":"wifi","price":100000})");
    ASSERT_EQ(room.status, 201) << room.Describe();
    const int64_t room_id = AsInt(room.Json().as_object()["id"]);
    ASSERT_TRUE(Eventually([&] { return Settled("room", "reservation"); }));
    Reply reservation = Call("POST", "/reservations",
                             bj::serialize(bj::object{{"roomId", room_id},
                                                      {"userId", "poly"},
                                                      {"userName", "Kim"},
                                                      {"peopleQty", 2},
                                                      {"reservStartDate", "2031-01-10"},
                                                      {"reservEndDate", "2031-01-12"},
                                                      {"payMethod", "card"}}));
    ASSERT_EQ(reservation.status, 201) << reservation.Describe();

    auto rooms = OpenSchema(system(), "hotel_room");
    auto payments = OpenSchema(system(), "hotel_payment");
    ASSERT_TRUE(rooms && payments);
    EXPECT_EQ(CountRows(*rooms, "room_infos"), 1);
    EXPECT_EQ(CountRows(*payments, "payments"), 1);
    const std::string dir = system().data_dir() + "/hotel/";
    EXPECT_TRUE(std::filesystem::exists(dir + "reservation.db"));
    EXPECT_TRUE(std::filesystem::exists(dir + "reservation-view.db"));
    EXPECT_FALSE(std::filesystem::exists(dir + "room.db"));
    EXPECT_FALSE(std::filesystem::exists(dir + "payment.db"));
}

}  // namespace
}  // namespace reservo::e2e
