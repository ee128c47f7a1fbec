#include "kit/messaging/outbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <utility>

#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/messaging/test_support.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;
using testing::TempDir;

constexpr std::string_view kTopic = "reservations";
constexpr store::Migration kServiceMigrations[] = {
    {1, "CREATE TABLE reservations (id TEXT PRIMARY KEY, status TEXT NOT NULL)"},
};
constexpr Sql kInsertReservation{"insert_reservation", "INSERT INTO reservations (id, status) VALUES (?, 'RESERVED')"};

// An event log whose appends fail, as when events.db is locked for too long.
class UnavailableLog final : public EventLog {
  public:
    Status Append(std::string_view, std::span<const CloudEvent>) override {
        ++appends;
        return Fail(Code::kUnavailable, "log down");
    }
    Result<std::vector<Record>> Fetch(std::string_view, int, int64_t, int) override { return {}; }
    Result<int64_t> Committed(std::string_view, std::string_view, int) override { return 0; }
    Status Commit(std::string_view, std::string_view, int, int64_t) override { return Ok(); }
    Result<int64_t> EndOffset(std::string_view, int) override { return 0; }
    Result<int64_t> StartOffset(std::string_view, int) override { return 0; }
    int Partitions(std::string_view) override { return 1; }
    Result<std::vector<int>> Heartbeat(std::string_view, std::string_view, std::string_view) override {
        return std::vector<int>{0};
    }
    void Leave(std::string_view, std::string_view) override {}
    Status Check() override { return Fail(Code::kUnavailable, "log down"); }
    Result<std::optional<StoreRecord>> KnownStore(std::string_view) override { return std::nullopt; }
    Status AdoptStore(std::string_view, const StoreRecord&, std::string_view, bool) override { return Ok(); }
    int64_t Version() override { return 0; }
    int appends = 0;
};

// Forwards to a real log, and lets another replica act in the middle of an append.
class InterleavingLog final : public EventLog {
  public:
    explicit InterleavingLog(EventLog& log) : log_(log) {}
    Status Append(std::string_view topic, std::span<const CloudEvent> events) override {
        if (auto during = std::exchange(during_append, nullptr)) during();
        return log_.Append(topic, events);
    }
    Result<std::vector<Record>> Fetch(std::string_view t, int p, int64_t o, int m) override {
        return log_.Fetch(t, p, o, m);
    }
    Result<int64_t> Committed(std::string_view g, std::string_view t, int p) override {
        return log_.Committed(g, t, p);
    }
    Status Commit(std::string_view g, std::string_view t, int p, int64_t o) override { return log_.Commit(g, t, p, o); }
    Result<int64_t> EndOffset(std::string_view t, int p) override { return log_.EndOffset(t, p); }
    Result<int64_t> StartOffset(std::string_view t, int p) override { return log_.StartOffset(t, p); }
    int Partitions(std::string_view t) override { return log_.Partitions(t); }
    Result<std::vector<int>> Heartbeat(std::string_view g, std::string_view t, std::string_view m) override {
        return log_.Heartbeat(g, t, m);
    }
    void Leave(std::string_view g, std::string_view m) override { log_.Leave(g, m); }
    Status Check() override { return log_.Check(); }
    Result<std::optional<StoreRecord>> KnownStore(std::string_view s) override { return log_.KnownStore(s); }
    Status AdoptStore(std::string_view s, const StoreRecord& r, std::string_view t, bool replay) override {
        return log_.AdoptStore(s, r, t, replay);
    }
    int64_t Version() override { return log_.Version(); }
    std::function<void()> during_append;

  private:
    EventLog& log_;
};

class OutboxTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = OpenService();
        log_ = SqliteEventLog::Open(dir_.File("events.db"), 4).value();
    }
    std::unique_ptr<store::SqliteDatabase> OpenService(int busy_timeout_ms = 5000) {
        auto db = store::SqliteDatabase::Open(dir_.File("reservation.db"), busy_timeout_ms).value();
        EXPECT_TRUE(db->Migrate(kServiceMigrations));
        EXPECT_TRUE(db->Migrate(Outbox::Migrations()));
        return db;
    }
    // Reserves `id` and records its event in one transaction.
    CloudEvent Reserve(store::Database& db, const std::string& id, bool commit = true) {
        auto event = CloudEvent::New("/vaccine/reservation", "VaccineReserved", id, {{"reservationId", id}});
        auto tx = db.Begin().value();
        EXPECT_TRUE(db.Execute(kInsertReservation, {id}));
        EXPECT_TRUE(Outbox::Add(db, event));
        if (commit) {
            EXPECT_TRUE(tx.Commit());
        }
        return event;
    }
    std::vector<CloudEvent> AllInLog() {
        std::vector<CloudEvent> out;
        for (int p = 0; p < log_->Partitions(kTopic); ++p) {
            auto records = log_->Fetch(kTopic, p, 0, 1000).value();
            for (auto& r : records) out.push_back(std::move(r.event));
        }
        return out;
    }
    TempDir dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
    std::unique_ptr<SqliteEventLog> log_;
};

TEST_F(OutboxTest, MigrationsDoNotClashWithServiceVersions) {
    for (const auto& m : Outbox::Migrations()) EXPECT_GT(m.version, 9000);
}

TEST_F(OutboxTest, RolledBackTransactionPublishesNothing) {
    Reserve(*db_, "r-1", /*commit=*/false);
    OutboxRelay relay(*db_, *log_, std::string(kTopic));
    EXPECT_EQ(relay.Backlog(), 0);
    EXPECT_EQ(relay.RelayOnce().value(), 0);
    EXPECT_TRUE(AllInLog().empty());
    static constexpr Sql kCount{"count_reservations", "SELECT COUNT(*) FROM reservations"};
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 0);
}

TEST_F(OutboxTest, RelayMovesRowsInOrderAndEmptiesTheBacklog) {
    std::vector<CloudEvent> events;
    for (int i = 0; i < 5; ++i) events.push_back(Reserve(*db_, "r-" + std::to_string(i)));
    // Three more for one aggregate: they must reach its partition in this order.
    auto first = CloudEvent::New("/vaccine/reservation", "VaccineReserved", "r-9", {{"step", 1}});
    auto second = CloudEvent::New("/vaccine/reservation", "ReservationPaid", "r-9", {{"step", 2}});
    auto third = CloudEvent::New("/vaccine/reservation", "ReservationCancelled", "r-9", {{"step", 3}});
    {
        auto tx = db_->Begin().value();
        for (const auto* e : {&first, &second, &third}) ASSERT_TRUE(Outbox::Add(*db_, *e));
        ASSERT_TRUE(tx.Commit());
    }
    OutboxRelay relay(*db_, *log_, std::string(kTopic));
    EXPECT_EQ(relay.Backlog(), 8);
    EXPECT_EQ(relay.RelayOnce(6).value(), 6);
    EXPECT_EQ(relay.Backlog(), 2);
    EXPECT_EQ(relay.RelayOnce().value(), 2);
    EXPECT_EQ(relay.Backlog(), 0);
    EXPECT_EQ(relay.RelayOnce().value(), 0);
    EXPECT_EQ(relay.relayed(), 8);

    auto in_log = AllInLog();
    ASSERT_EQ(in_log.size(), 8u);
    for (const auto& e : events) EXPECT_NE(std::find(in_log.begin(), in_log.end(), e), in_log.end()) << e.subject;
    auto partition = log_->Fetch(kTopic, PartitionFor("r-9", 4), 0, 1000).value();
    std::vector<std::string> r9;
    for (const auto& r : partition) {
        if (r.event.subject == "r-9") r9.push_back(r.event.type);
    }
    EXPECT_EQ(r9, (std::vector<std::string>{"VaccineReserved", "ReservationPaid", "ReservationCancelled"}));
}

TEST_F(OutboxTest, FailedAppendKeepsTheRowsForTheNextPass) {
    Reserve(*db_, "r-1");
    UnavailableLog down;
    OutboxRelay failing(*db_, down, std::string(kTopic));
    auto r = failing.RelayOnce();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Code::kUnavailable);
    EXPECT_EQ(down.appends, 1);
    EXPECT_EQ(failing.Backlog(), 1);

    OutboxRelay relay(*db_, *log_, std::string(kTopic));
    EXPECT_EQ(relay.RelayOnce().value(), 1);
    EXPECT_EQ(AllInLog().size(), 1u);
}

TEST_F(OutboxTest, ReplicaRelayingMidPassDoesNotAppendTheSameRows) {
    // The other replica's relay runs while ours is between reading its rows and deleting them.
    auto replica = OpenService(/*busy_timeout_ms=*/50);
    auto replica_log = SqliteEventLog::Open(dir_.File("events.db"), 4).value();
    OutboxRelay theirs(*replica, *replica_log, std::string(kTopic));
    InterleavingLog interleaving(*log_);
    OutboxRelay mine(*db_, interleaving, std::string(kTopic));
    for (int i = 0; i < 3; ++i) Reserve(*db_, "r-" + std::to_string(i));

    std::optional<Result<int>> during;
    interleaving.during_append = [&] { during = theirs.RelayOnce(); };
    EXPECT_EQ(mine.RelayOnce().value(), 3);
    ASSERT_TRUE(during.has_value());
    // Ours holds the service database's write lock, so theirs could only give up and try later.
    EXPECT_TRUE(!*during || **during == 0);
    EXPECT_EQ(theirs.RelayOnce().value(), 0);
    EXPECT_EQ(AllInLog().size(), 3u);
}

TEST_F(OutboxTest, AlternatingReplicaRelaysAppendEveryEventOnce) {
    auto replica = OpenService();
    auto replica_log = SqliteEventLog::Open(dir_.File("events.db"), 4).value();
    OutboxRelay mine(*db_, *log_, std::string(kTopic));
    OutboxRelay theirs(*replica, *replica_log, std::string(kTopic));
    int relayed = 0;
    for (int i = 0; i < 30; ++i) {
        Reserve(i % 2 ? *db_ : *replica, "r-" + std::to_string(i));
        if (i % 3 == 0) relayed += mine.RelayOnce(4).value();
        if (i % 4 == 0) relayed += theirs.RelayOnce(4).value();
    }
    while (int n = mine.RelayOnce().value() + theirs.RelayOnce().value()) relayed += n;
    EXPECT_EQ(relayed, 30);
    auto in_log = AllInLog();
    EXPECT_EQ(in_log.size(), 30u);
    std::set<std::string> ids;
    for (const auto& e : in_log) ids.insert(e.id);
    EXPECT_EQ(ids.size(), 30u);
}

TEST_F(OutboxTest, ABusyLockFailsThePassAtOnceAndKeepsTheRows) {
    Reserve(*db_, "r-1");
    OutboxRelay relay(*db_, *log_, std::string(kTopic));
    for (const char* file : {"events.db", "reservation.db"}) {
        // Another process appending to the system's log, or a replica writing to the service's store.
        auto other = store::SqliteDatabase::Open(dir_.File(file)).value();
        auto held = other->Begin().value();
        auto start = std::chrono::steady_clock::now();
        auto r = relay.RelayOnce();
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500)) << file;
        ASSERT_FALSE(r) << file;
        EXPECT_EQ(r.error().code, Code::kUnavailable) << file;
        EXPECT_EQ(relay.Backlog(), 1) << file;
        EXPECT_TRUE(AllInLog().empty()) << file;
    }
    EXPECT_EQ(relay.RelayOnce().value(), 1);
    EXPECT_EQ(relay.RelayOnce().value(), 0);
    EXPECT_EQ(AllInLog().size(), 1u);
}

}  // namespace
}  // namespace reservo::messaging
