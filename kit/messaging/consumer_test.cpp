#include "kit/messaging/consumer.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "kit/core/log.hpp"
#include "kit/core/trace.hpp"
#include "kit/messaging/outbox.hpp"
#include "kit/messaging/sqlite_event_log.hpp"
#include "kit/messaging/test_support.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;
using testing::FakeClock;
using testing::TempDir;

constexpr std::string_view kTopic = "reservations";
constexpr int kPartitions = 4;

// The consuming service's own state: one row per applied effect, deliberately without a
// unique key, so that applying an event twice would show.
constexpr store::Migration kServiceMigrations[] = {
    {1,
     "CREATE TABLE effects (n INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, subject TEXT NOT NULL,"
     " seq INTEGER NOT NULL)"},
};
constexpr Sql kAddEffect{"add_effect", "INSERT INTO effects (event_id, subject, seq) VALUES (?, ?, ?)"};
constexpr Sql kCountEffects{"count_effects", "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM effects"};
constexpr Sql kEffectsOf{"effects_of", "SELECT seq FROM effects WHERE subject = ? ORDER BY n"};
constexpr Sql kResetOffsets{"reset_offsets", "DELETE FROM offsets"};

Status AddEffect(const CloudEvent& e, store::Database& db) {
    auto r = db.Execute(kAddEffect, {e.id, e.subject, e.data.at("seq").as_int64()});
    if (!r) return Fail(r.error());
    return Ok();
}

class ConsumerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = OpenService();
        producer_ = OpenLog();
    }
    std::unique_ptr<store::SqliteDatabase> OpenService() {
        auto db = store::SqliteDatabase::Open(dir_.File("notification.db")).value();
        EXPECT_TRUE(db->Migrate(kServiceMigrations));
        EXPECT_TRUE(db->Migrate(Consumer::Migrations()));
        return db;
    }
    std::unique_ptr<SqliteEventLog> OpenLog() {
        return SqliteEventLog::Open(dir_.File("events.db"), kPartitions,
                                    {.session_timeout_ms = 3000, .now_ms = clock_.Source()})
            .value();
    }
    ConsumerOptions Options(std::string member, int64_t heartbeat_ms = 0) {
        return ConsumerOptions{.group = "notification",
                               .topic = std::string(kTopic),
                               .member_id = std::move(member),
                               .heartbeat_interval = Millis{heartbeat_ms},
                               .now_ms = clock_.Source()};
    }
    CloudEvent Publish(const std::string& subject, int seq, std::string type = "VaccineReserved") {
        auto event = CloudEvent::New("/vaccine/reservation", std::move(type), subject, {{"seq", seq}});
        EXPECT_TRUE(producer_->Append(kTopic, std::span(&event, 1)));
        return event;
    }
    // A subject that lands on `partition`.
    static std::string SubjectOn(int partition, int n = 0) {
        for (int i = 0;; ++i) {
            std::string s = "r-" + std::to_string(i);
            if (PartitionFor(s, kPartitions) == partition && n-- == 0) return s;
        }
    }
    // Polls every consumer until a whole round consumes nothing.
    static int Drain(std::initializer_list<Consumer*> consumers) {
        int total = 0;
        for (int round = 0; round < 100; ++round) {
            int n = 0;
            for (auto* c : consumers) n += c->PollOnce().value();
            if (n == 0) break;
            total += n;
        }
        return total;
    }
    std::pair<int64_t, int64_t> Effects() {
        auto row = db_->QueryOne(kCountEffects).value();
        return {row.Int(0), row.Int(1)};
    }
    std::vector<int64_t> EffectsOf(const std::string& subject) {
        std::vector<int64_t> out;
        auto rows = db_->Query(kEffectsOf, {subject}).value();
        for (const auto& row : rows) out.push_back(row.Int(0));
        return out;
    }

    TempDir dir_;
    FakeClock clock_;
    std::unique_ptr<store::SqliteDatabase> db_;
    std::unique_ptr<SqliteEventLog> producer_;
};

TEST_F(ConsumerTest, AppliesEveryEventOnceInOrderPerSubject) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    for (int seq = 0; seq < 10; ++seq) {
        for (int s = 0; s < 5; ++s) Publish("r-" + std::to_string(s), seq);
    }
    EXPECT_EQ(Drain({&consumer}), 50);
    EXPECT_EQ(Effects(), std::make_pair(int64_t{50}, int64_t{50}));
    for (int s = 0; s < 5; ++s) {
        EXPECT_EQ(EffectsOf("r-" + std::to_string(s)), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }
    EXPECT_EQ(consumer.processed(), 50);
    EXPECT_EQ(consumer.duplicates(), 0);
    EXPECT_EQ(consumer.Lag().value(), 0);
    EXPECT_EQ(consumer.owned(), (std::vector<int>{0, 1, 2, 3}));
    // Offsets were committed in the log.
    int64_t committed = 0;
    for (int p = 0; p < kPartitions; ++p) committed += producer_->Committed("notification", kTopic, p).value();
    EXPECT_EQ(committed, 50);

    Publish("r-0", 10);
    EXPECT_EQ(consumer.Lag().value(), 1);
    EXPECT_EQ(Drain({&consumer}), 1);
    EXPECT_EQ(EffectsOf("r-0").back(), 10);
}

TEST_F(ConsumerTest, EventsWithoutHandlerAreSkippedAndTheOffsetAdvances) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    Publish("r-1", 0, "SomethingElse");
    Publish("r-1", 1);
    EXPECT_EQ(Drain({&consumer}), 2);
    EXPECT_EQ(consumer.skipped(), 1);
    EXPECT_EQ(consumer.processed(), 1);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{1}));
    EXPECT_EQ(consumer.Lag().value(), 0);
}

TEST_F(ConsumerTest, RedeliveredEventHasNoSecondEffect) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    auto event = Publish("r-1", 0);
    EXPECT_EQ(Drain({&consumer}), 1);
    // A relay that crashed between append and delete appends the same event again.
    ASSERT_TRUE(producer_->Append(kTopic, std::span(&event, 1)));
    EXPECT_EQ(Drain({&consumer}), 1);
    EXPECT_EQ(consumer.duplicates(), 1);
    EXPECT_EQ(consumer.processed(), 1);
    EXPECT_EQ(Effects(), std::make_pair(int64_t{1}, int64_t{1}));
}

TEST_F(ConsumerTest, ResetOffsetsReplayWithoutSecondEffect) {
    for (int i = 0; i < 8; ++i) Publish("r-" + std::to_string(i), i);
    {
        auto log = OpenLog();
        Consumer consumer(*db_, *log, Options("a"));
        consumer.On("VaccineReserved", AddEffect);
        EXPECT_EQ(Drain({&consumer}), 8);
        consumer.Close();
    }
    // An operator resets the group's offsets to the beginning (kafka-consumer-groups --reset-offsets).
    auto admin = store::SqliteDatabase::Open(dir_.File("events.db")).value();
    ASSERT_TRUE(admin->Execute(kResetOffsets));
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    EXPECT_EQ(Drain({&consumer}), 8);
    EXPECT_EQ(consumer.duplicates(), 8);
    EXPECT_EQ(consumer.processed(), 0);
    EXPECT_EQ(Effects(), std::make_pair(int64_t{8}, int64_t{8}));
}

TEST_F(ConsumerTest, ResumesFromTheCommittedOffsetAfterARestart) {
    auto log = OpenLog();
    for (int seq = 0; seq < 5; ++seq) Publish("r-1", seq);
    {
        Consumer consumer(*db_, *log, Options("a"));
        consumer.On("VaccineReserved", AddEffect);
        EXPECT_EQ(Drain({&consumer}), 5);
    }  // the process dies (no Close)
    for (int seq = 5; seq < 8; ++seq) Publish("r-1", seq);
    Consumer restarted(*db_, *log, Options("a"));
    restarted.On("VaccineReserved", AddEffect);
    EXPECT_EQ(Drain({&restarted}), 3);  // only what it missed, not from the beginning
    EXPECT_EQ(restarted.processed(), 3);
    EXPECT_EQ(restarted.duplicates(), 0);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(ConsumerTest, TwoMembersSplitPartitionsAndApplyEachEventOnce) {
    auto replica_db = OpenService();  // replicas share the service database file
    auto log_a = OpenLog();
    auto log_b = OpenLog();
    Consumer a(*db_, *log_a, Options("a"));
    Consumer b(*replica_db, *log_b, Options("b"));
    a.On("VaccineReserved", AddEffect);
    b.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(a.PollOnce());
    ASSERT_TRUE(b.PollOnce());
    ASSERT_TRUE(a.PollOnce());
    std::vector<int> all = a.owned();
    all.insert(all.end(), b.owned().begin(), b.owned().end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3}));  // disjoint, and together everything
    EXPECT_EQ(a.owned().size(), 2u);

    for (int p = 0; p < kPartitions; ++p) {
        for (int seq = 0; seq < 5; ++seq) Publish(SubjectOn(p), seq);
    }
    EXPECT_EQ(Drain({&a, &b}), 20);
    EXPECT_EQ(a.processed(), 10);
    EXPECT_EQ(b.processed(), 10);
    EXPECT_EQ(Effects(), std::make_pair(int64_t{20}, int64_t{20}));
}

TEST_F(ConsumerTest, MembersRacingDuringARebalanceStillApplyOnce) {
    auto replica_db = OpenService();
    auto log_a = OpenLog();
    auto log_b = OpenLog();
    Consumer a(*db_, *log_a, Options("a", /*heartbeat_ms=*/2000));
    Consumer b(*replica_db, *log_b, Options("b"));
    a.On("VaccineReserved", AddEffect);
    b.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(a.PollOnce());  // alone: owns all four
    ASSERT_TRUE(b.PollOnce());  // joins: owns half, while a has not noticed yet
    EXPECT_EQ(a.owned().size(), 4u);
    EXPECT_EQ(b.owned().size(), 2u);
    for (int p = 0; p < kPartitions; ++p) {
        for (int seq = 0; seq < 3; ++seq) Publish(SubjectOn(p), seq);
    }
    Drain({&b, &a});
    EXPECT_EQ(Effects(), std::make_pair(int64_t{12}, int64_t{12}));
    EXPECT_EQ(a.processed() + b.processed(), 12);
    EXPECT_EQ(a.duplicates(), b.processed());  // a re-read b's partitions and the inbox stopped it

    clock_.Advance(2001);  // a's next heartbeat: it gives up b's share
    ASSERT_TRUE(a.PollOnce());
    EXPECT_EQ(a.owned().size(), 2u);
}

TEST_F(ConsumerTest, SilentMemberLosesItsPartitionsAfterTheSessionTimeout) {
    auto replica_db = OpenService();
    auto log_a = OpenLog();
    auto log_b = OpenLog();
    Consumer a(*db_, *log_a, Options("a"));
    Consumer b(*replica_db, *log_b, Options("b"));
    a.On("VaccineReserved", AddEffect);
    b.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(a.PollOnce());
    ASSERT_TRUE(b.PollOnce());
    ASSERT_TRUE(a.PollOnce());
    ASSERT_EQ(b.owned().size(), 2u);
    const int b_partition = b.owned().front();
    // b hangs: it stops polling (and heart-beating). Its events wait until the session times out.
    Publish(SubjectOn(b_partition), 0);
    Drain({&a});
    EXPECT_EQ(a.processed(), 0);
    clock_.Advance(2000);
    Drain({&a});
    EXPECT_EQ(a.processed(), 0);
    clock_.Advance(1001);
    Drain({&a});
    EXPECT_EQ(a.owned(), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(a.processed(), 1);
    EXPECT_EQ(b.processed(), 0);
}

TEST_F(ConsumerTest, ClosedMemberHandsOverAtOnce) {
    auto log_a = OpenLog();
    auto log_b = OpenLog();
    Consumer a(*db_, *log_a, Options("a"));
    Consumer b(*db_, *log_b, Options("b"));
    ASSERT_TRUE(a.PollOnce());
    ASSERT_TRUE(b.PollOnce());
    ASSERT_TRUE(a.PollOnce());
    EXPECT_EQ(a.owned().size(), 2u);
    b.Close();
    EXPECT_TRUE(b.owned().empty());
    ASSERT_TRUE(a.PollOnce());
    EXPECT_EQ(a.owned().size(), 4u);
}

TEST_F(ConsumerTest, TransientFailureIsRetriedWithBackoffForThatPartitionOnly) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a", /*heartbeat_ms=*/60'000));
    int calls = 0;
    const std::string slow = SubjectOn(0);
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        if (e.subject == slow && e.data.at("seq").as_int64() == 0 && ++calls < 3) {
            AddEffect(e, db);  // written, then undone with the failure
            return Fail(Code::kUnavailable, "payment service down");
        }
        return AddEffect(e, db);
    });
    Publish(slow, 0);
    Publish(slow, 1);          // same aggregate: must wait behind seq 0
    Publish(SubjectOn(1), 0);  // another partition: must not wait

    EXPECT_EQ(consumer.PollOnce().value(), 1);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(EffectsOf(slow).empty());
    EXPECT_EQ(EffectsOf(SubjectOn(1)), (std::vector<int64_t>{0}));

    EXPECT_EQ(consumer.PollOnce().value(), 0);  // backing off: 20 ms
    EXPECT_EQ(calls, 1);
    clock_.Advance(20);
    EXPECT_EQ(consumer.PollOnce().value(), 0);
    EXPECT_EQ(calls, 2);
    clock_.Advance(39);  // the second wait is 40 ms
    EXPECT_EQ(consumer.PollOnce().value(), 0);
    EXPECT_EQ(calls, 2);
    clock_.Advance(1);
    EXPECT_EQ(consumer.PollOnce().value(), 2);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(EffectsOf(slow), (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(consumer.dead_lettered(), 0);
    EXPECT_EQ(consumer.processed(), 3);
}

TEST_F(ConsumerTest, UntilNextPassIsTheHeartbeatWhenCaughtUpAndTheBackoffWhileRetrying) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a", /*heartbeat_ms=*/1000));
    int calls = 0;
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        if (++calls < 2) return Fail(Code::kUnavailable, "mypage store down");
        return AddEffect(e, db);
    });
    EXPECT_EQ(consumer.UntilNextPass(), Millis(0)) << "not joined yet: a pass is due now";
    EXPECT_EQ(consumer.PollOnce().value(), 0);
    EXPECT_EQ(consumer.UntilNextPass(), Millis(1000)) << "caught up: only the heartbeat is due";
    clock_.Advance(400);
    EXPECT_EQ(consumer.UntilNextPass(), Millis(600));

    Publish(SubjectOn(2), 0);
    EXPECT_EQ(consumer.PollOnce().value(), 0);  // failed once: retried after 20 ms
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(consumer.UntilNextPass(), Millis(20)) << "the retry is due before the heartbeat";
    clock_.Advance(20);
    EXPECT_EQ(consumer.UntilNextPass(), Millis(0));
    EXPECT_EQ(consumer.PollOnce().value(), 1);
    EXPECT_EQ(consumer.UntilNextPass(), Millis(580)) << "caught up again: back to the heartbeat";
}

TEST_F(ConsumerTest, TheEmbeddedLogsDoorbellRingsOnEveryAppendAndOnNothingElse) {
    auto log = OpenLog();
    ASSERT_GE(log->ChangeFd(), 0);
    EXPECT_FALSE(log->TakeChanges()) << "nothing written since it was opened";
    Publish(SubjectOn(0), 0);  // through producer_, another connection (as another process would)
    pollfd p{log->ChangeFd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 1000), 1);
    EXPECT_TRUE(log->TakeChanges());
    EXPECT_FALSE(log->TakeChanges()) << "taken";
    ASSERT_TRUE(db_->Execute(store::Sql{"touch_service_db", "CREATE TABLE IF NOT EXISTS touched (x INTEGER)"}, {}));
    Consumer consumer(*db_, *producer_, Options("a"));
    ASSERT_TRUE(consumer.PollOnce());  // a heartbeat and an offset read: writes, not appends
    EXPECT_FALSE(log->TakeChanges()) << "only appends ring";
    Publish(SubjectOn(1), 0);
    ASSERT_EQ(consumer.PollOnce().value(), 1);  // consumed (no handler: skipped), its offset committed
    ASSERT_EQ(::poll(&p, 1, 1000), 1);
    EXPECT_TRUE(log->TakeChanges());
    EXPECT_FALSE(log->TakeChanges()) << "the append rang, the offset commit did not";
}

TEST_F(ConsumerTest, PermanentFailureIsParkedAndTheNextEventProcessed) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        if (e.data.at("seq").as_int64() == 0) {
            AddEffect(e, db);
            return Fail(Code::kFailedPrecondition, "unknown vaccine");
        }
        return AddEffect(e, db);
    });
    auto bad = Publish("r-1", 0);
    Publish("r-1", 1);
    EXPECT_EQ(Drain({&consumer}), 2);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{1}));  // the failed handler's write was undone
    EXPECT_EQ(consumer.dead_lettered(), 1);
    EXPECT_EQ(consumer.Lag().value(), 0);
    auto letters = consumer.DeadLetters().value();
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(consumer.DeadLetterCount().value(), 1);
    EXPECT_EQ(letters[0].event_id, bad.id);
    EXPECT_EQ(letters[0].type, "VaccineReserved");
    EXPECT_EQ(letters[0].subject, "r-1");
    EXPECT_EQ(letters[0].topic, kTopic);
    EXPECT_EQ(letters[0].offset, 0);
    EXPECT_EQ(letters[0].attempts, 1);
    EXPECT_NE(letters[0].error.find("unknown vaccine"), std::string::npos);
    EXPECT_EQ(CloudEvent::FromJson(letters[0].payload).value(), bad);
}

TEST_F(ConsumerTest, TransientFailureIsParkedAfterMaxAttempts) {
    auto log = OpenLog();
    auto options = Options("a", /*heartbeat_ms=*/60'000);
    options.max_attempts = 3;
    Consumer consumer(*db_, *log, options);
    int calls = 0;
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        if (e.data.at("seq").as_int64() == 0) {
            ++calls;
            return Fail(Code::kDeadlineExceeded, "too slow");
        }
        return AddEffect(e, db);
    });
    consumer.On("Boom", [](const CloudEvent&, store::Database&) -> Status { throw std::runtime_error("bug"); });
    Publish("r-1", 0);
    Publish("r-1", 1);
    Publish("r-1", 2, "Boom");
    for (int i = 0; i < 10; ++i) {
        consumer.PollOnce().value();
        clock_.Advance(1000);
    }
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(consumer.dead_lettered(), 2);  // the slow one after 3 tries, the throwing one at once
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{1}));
    auto letters = consumer.DeadLetters().value();
    ASSERT_EQ(letters.size(), 2u);
    EXPECT_EQ(letters[0].attempts, 3);
    EXPECT_EQ(letters[1].attempts, 1);
    EXPECT_NE(letters[1].error.find("bug"), std::string::npos);
}

TEST_F(ConsumerTest, ReplayingADeadLetterAppliesItOnce) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    bool broken = true;
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        if (broken) return Fail(Code::kInvalidArgument, "bad data");
        return AddEffect(e, db);
    });
    Publish("r-1", 7);
    Drain({&consumer});
    auto letters = consumer.DeadLetters().value();
    ASSERT_EQ(letters.size(), 1u);
    const int64_t id = letters[0].id;

    auto still = consumer.ReplayDeadLetter(id);  // not fixed yet: stays parked
    ASSERT_FALSE(still);
    EXPECT_EQ(still.error().code, Code::kInvalidArgument);
    EXPECT_EQ(consumer.DeadLetters().value().at(0).attempts, 2);
    EXPECT_TRUE(EffectsOf("r-1").empty());

    broken = false;  // the fix is deployed
    EXPECT_EQ(consumer.ReplayDeadLetter(id).value(), 1);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{7}));
    EXPECT_TRUE(consumer.DeadLetters().value().empty());
    EXPECT_EQ(consumer.DeadLetterCount().value(), 0) << "replayed: unparked";
    auto again = consumer.ReplayDeadLetter(id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Code::kNotFound);
    EXPECT_EQ(EffectsOf("r-1").size(), 1u);
}

// The consumer's lines about an event carry the event's trace, and each park, replay and rebalance
// is one line with typed fields.
TEST_F(ConsumerTest, ParkingReplayingAndRebalancingAreOneLineEachInTheEventsTrace) {
    std::ostringstream out;
    log::Init("test/consumer", "info", &out);
    trace::SetCurrent("");
    auto lines = [&](std::string_view msg) {
        std::vector<boost::json::object> found;
        std::istringstream in(out.str());
        for (std::string line; std::getline(in, line);) {
            auto o = boost::json::parse(line).as_object();
            if (o.at("msg").as_string() == msg) found.push_back(std::move(o));
        }
        return found;
    };
    const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    bool broken = true;
    consumer.On("VaccineReserved", [&](const CloudEvent& e, store::Database& db) -> Status {
        log::Info("handling", {{"seq", e.data.at("seq").as_int64()}});  // what a handler writes
        if (broken) return Fail(Code::kInvalidArgument, "bad data");
        return AddEffect(e, db);
    });
    auto event = CloudEvent::New("/vaccine/reservation", "VaccineReserved", "r-1", {{"seq", 7}},
                                 "00-" + trace_id + "-00f067aa0ba902b7-01");
    ASSERT_TRUE(producer_->Append(kTopic, std::span(&event, 1)));
    Drain({&consumer});
    EXPECT_TRUE(trace::Current().empty()) << "the event's trace ends with it";

    auto rebalanced = lines("consumer group rebalanced");
    ASSERT_EQ(rebalanced.size(), 1u) << out.str();
    EXPECT_EQ(rebalanced[0].at("assigned"), (boost::json::array{0, 1, 2, 3}));
    EXPECT_EQ(rebalanced[0].at("revoked"), boost::json::array{});
    EXPECT_FALSE(rebalanced[0].contains("trace_id")) << "nobody's request";
    auto handling = lines("handling");
    ASSERT_EQ(handling.size(), 1u) << out.str();
    EXPECT_EQ(handling[0].at("trace_id").as_string(), trace_id);
    auto parked = lines("event parked as dead letter");
    ASSERT_EQ(parked.size(), 1u) << out.str();
    EXPECT_EQ(parked[0].at("level"), "warning");
    EXPECT_EQ(parked[0].at("trace_id").as_string(), trace_id);
    EXPECT_EQ(parked[0].at("eventId").as_string(), event.id);
    EXPECT_EQ(parked[0].at("group"), "notification");
    EXPECT_EQ(parked[0].at("subject"), "r-1");
    EXPECT_EQ(parked[0].at("partition"), PartitionFor("r-1", kPartitions));
    EXPECT_EQ(parked[0].at("offset"), 0);
    EXPECT_EQ(parked[0].at("attempts"), 1);
    EXPECT_EQ(parked[0].at("error"), "bad data");

    const int64_t id = consumer.DeadLetters().value().at(0).id;
    ASSERT_FALSE(consumer.ReplayDeadLetter(id));
    auto failed = lines("dead letter replay failed; it stays parked");
    ASSERT_EQ(failed.size(), 1u) << out.str();
    EXPECT_EQ(failed[0].at("deadLetter"), id);
    EXPECT_EQ(failed[0].at("attempts"), 2);
    EXPECT_EQ(failed[0].at("trace_id").as_string(), trace_id);
    broken = false;
    ASSERT_EQ(consumer.ReplayDeadLetter(id).value(), 1);
    auto replayed = lines("dead letter replayed");
    ASSERT_EQ(replayed.size(), 1u) << out.str();
    EXPECT_EQ(replayed[0].at("level"), "info");
    EXPECT_EQ(replayed[0].at("deadLetter"), id);
    EXPECT_EQ(replayed[0].at("eventId").as_string(), event.id);
    EXPECT_EQ(replayed[0].at("applied"), true);
    EXPECT_EQ(replayed[0].at("trace_id").as_string(), trace_id);
    EXPECT_TRUE(trace::Current().empty());
    EXPECT_EQ(lines("event parked as dead letter").size(), 1u);
    log::Init("test/consumer");
}

TEST_F(ConsumerTest, OutboxToConsumerEndToEnd) {
    // The producing service: its own database, an outbox, and a relay.
    auto producer_db = store::SqliteDatabase::Open(dir_.File("reservation.db")).value();
    ASSERT_TRUE(producer_db->Migrate(Outbox::Migrations()));
    auto relay_log = OpenLog();
    OutboxRelay relay(*producer_db, *relay_log, std::string(kTopic));
    for (int seq = 0; seq < 6; ++seq) {
        auto tx = producer_db->Begin().value();
        ASSERT_TRUE(Outbox::Add(*producer_db, CloudEvent::New("/vaccine/reservation", "VaccineReserved",
                                                              "r-" + std::to_string(seq % 2), {{"seq", seq}})));
        ASSERT_TRUE(tx.Commit());
    }
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    EXPECT_EQ(Drain({&consumer}), 0);
    EXPECT_EQ(relay.RelayOnce().value(), 6);
    EXPECT_EQ(Drain({&consumer}), 6);
    EXPECT_EQ(EffectsOf("r-0"), (std::vector<int64_t>{0, 2, 4}));
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{1, 3, 5}));
}

// Another process (a replica of this service, or any process of the system on events.db) holds a
// write lock, as one does while it commits.
class HeldLock final {
  public:
    explicit HeldLock(const std::string& path) : db_(store::SqliteDatabase::Open(path).value()) {
        tx_.emplace(db_->Begin().value());
    }
    void Release() {
        if (tx_) (void)tx_->Commit();
        tx_.reset();
    }

  private:
    std::unique_ptr<store::SqliteDatabase> db_;
    std::optional<store::Transaction> tx_;
};

// Well under the busy timeout (5 s) that a waiting pass would have spent.
constexpr auto kPrompt = std::chrono::milliseconds(500);

TEST_F(ConsumerTest, ABusyServiceStoreSkipsThePassAtOnceAndIsNotTheEventsFailure) {
    auto log = OpenLog();
    auto options = Options("a", /*heartbeat_ms=*/60'000);
    options.max_attempts = 2;
    Consumer consumer(*db_, *log, options);
    consumer.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(consumer.PollOnce());  // joined
    for (int seq = 0; seq < 3; ++seq) Publish("r-1", seq);

    HeldLock replica(dir_.File("notification.db"));
    for (int pass = 0; pass < 10; ++pass) {  // many more passes than max_attempts
        auto start = SteadyClock::now();
        EXPECT_EQ(consumer.PollOnce().value(), 0);
        EXPECT_LT(SteadyClock::now() - start, kPrompt);
        clock_.Advance(5);  // the busy retry
    }
    EXPECT_GE(consumer.busy(), 10);
    EXPECT_EQ(consumer.processed(), 0);
    EXPECT_EQ(consumer.dead_lettered(), 0);  // a busy lock is nobody's failure
    EXPECT_EQ(Effects(), std::make_pair(int64_t{0}, int64_t{0}));

    replica.Release();
    EXPECT_EQ(Drain({&consumer}), 3);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{0, 1, 2}));
    EXPECT_EQ(Effects(), std::make_pair(int64_t{3}, int64_t{3}));
    EXPECT_EQ(consumer.dead_lettered(), 0);
    EXPECT_EQ(consumer.Lag().value(), 0);
}

TEST_F(ConsumerTest, ABusyEventLogDelaysTheOffsetCommitNotTheEvents) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a", /*heartbeat_ms=*/60'000));
    consumer.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(consumer.PollOnce());
    Publish("r-1", 0);
    Publish("r-1", 1);
    const int partition = PartitionFor("r-1", kPartitions);

    HeldLock other_process(dir_.File("events.db"));
    auto start = SteadyClock::now();
    EXPECT_EQ(consumer.PollOnce().value(), 2);  // applied; the offset commit had to be skipped
    EXPECT_LT(SteadyClock::now() - start, kPrompt);
    EXPECT_EQ(producer_->Committed("notification", kTopic, partition).value(), 0);
    EXPECT_GE(consumer.busy(), 1);
    EXPECT_EQ(consumer.PollOnce().value(), 0);  // still busy: tried again, not applied again
    EXPECT_EQ(Effects(), std::make_pair(int64_t{2}, int64_t{2}));

    other_process.Release();
    EXPECT_EQ(consumer.PollOnce().value(), 0);
    EXPECT_EQ(producer_->Committed("notification", kTopic, partition).value(), 2);
    // A restart resumes after them: nothing is delivered twice.
    Consumer restarted(*db_, *log, Options("a"));
    restarted.On("VaccineReserved", AddEffect);
    EXPECT_EQ(Drain({&restarted}), 0);
    EXPECT_EQ(restarted.duplicates(), 0);
    EXPECT_EQ(Effects(), std::make_pair(int64_t{2}, int64_t{2}));
}

TEST_F(ConsumerTest, JoiningWhileTheEventLogIsBusyFailsAtOnceAndJoinsLater) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    Publish("r-1", 0);
    HeldLock other_process(dir_.File("events.db"));
    auto start = SteadyClock::now();
    auto polled = consumer.PollOnce();
    EXPECT_LT(SteadyClock::now() - start, kPrompt);
    ASSERT_FALSE(polled);
    EXPECT_EQ(polled.error().code, Code::kUnavailable);
    EXPECT_FALSE(consumer.heartbeat_error().empty());
    clock_.Advance(15'000);
    EXPECT_GE(consumer.SinceHeartbeat(), Millis(15'000));  // what the host's readiness reports

    other_process.Release();
    clock_.Advance(20);
    EXPECT_EQ(Drain({&consumer}), 1);
    EXPECT_EQ(consumer.SinceHeartbeat(), Millis(0));
    EXPECT_TRUE(consumer.heartbeat_error().empty());
}

TEST_F(ConsumerTest, ACommittedOffsetBelowTheEarliestRetainedEventResumesFromTheEarliest) {
    for (int seq = 0; seq < 3; ++seq) Publish("r-1", seq);
    {
        auto log = OpenLog();
        Consumer consumer(*db_, *log, Options("a"));
        consumer.On("VaccineReserved", AddEffect);
        EXPECT_EQ(Drain({&consumer}), 3);
        consumer.Close();
    }
    // The group stays away while more is appended, and retention deletes what it did not read.
    clock_.Advance(3'600'000);
    for (int seq = 3; seq < 6; ++seq) Publish("r-1", seq);
    clock_.Advance(3'600'000);
    Publish("r-1", 6);
    const int partition = PartitionFor("r-1", kPartitions);
    EXPECT_EQ(producer_->DeleteExpired(1'800'000).deleted, 6);
    EXPECT_EQ(producer_->StartOffset(kTopic, partition).value(), 6);
    EXPECT_EQ(producer_->Committed("notification", kTopic, partition).value(), 3);

    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    ASSERT_TRUE(consumer.PollOnce());
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{0, 1, 2, 6}));
    EXPECT_EQ(consumer.Lag().value(), 0);
    EXPECT_EQ(producer_->Committed("notification", kTopic, partition).value(), 7);
    Publish("r-1", 7);
    EXPECT_EQ(Drain({&consumer}), 1);
    EXPECT_EQ(EffectsOf("r-1"), (std::vector<int64_t>{0, 1, 2, 6, 7}));
}

TEST_F(ConsumerTest, LagDoesNotCountWhatRetentionDeleted) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    ASSERT_TRUE(consumer.PollOnce());  // joined, nothing applied
    for (int seq = 0; seq < 4; ++seq) Publish("r-1", seq);
    EXPECT_EQ(consumer.Lag().value(), 4);
    clock_.Advance(10'000);
    Publish("r-1", 4);
    EXPECT_EQ(producer_->DeleteExpired(5'000).deleted, 4);
    EXPECT_EQ(consumer.Lag().value(), 1);
}

TEST_F(ConsumerTest, TheInboxIsPrunedOldestFirstInSmallBatches) {
    auto log = OpenLog();
    Consumer consumer(*db_, *log, Options("a"));
    consumer.On("VaccineReserved", AddEffect);
    std::vector<CloudEvent> events;
    for (int seq = 0; seq < 5; ++seq) events.push_back(Publish("r-" + std::to_string(seq), seq));
    EXPECT_EQ(Drain({&consumer}), 5);
    static constexpr Sql kInboxRows{"inbox_rows", "SELECT COUNT(*) FROM inbox"};

    EXPECT_EQ(Consumer::PruneInbox(*db_, NowUnixMillis() - 60'000).deleted, 0);  // all younger than that
    {
        HeldLock replica(dir_.File("notification.db"));
        auto start = SteadyClock::now();
        auto busy = Consumer::PruneInbox(*db_, NowUnixMillis() + 1, 2);
        EXPECT_LT(SteadyClock::now() - start, kPrompt);
        EXPECT_EQ(busy.busy, 1);
        EXPECT_EQ(busy.deleted, 0);
    }
    auto first = Consumer::PruneInbox(*db_, NowUnixMillis() + 1, 2);
    EXPECT_EQ(first.deleted, 2);
    EXPECT_TRUE(first.more);
    EXPECT_EQ(db_->QueryOne(kInboxRows)->Int(0), 3);
    auto rest = Consumer::PruneInbox(*db_, NowUnixMillis() + 1, 10);
    EXPECT_EQ(rest.deleted, 3);
    EXPECT_FALSE(rest.more);
    EXPECT_EQ(db_->QueryOne(kInboxRows)->Int(0), 0);
    // What outlived the inbox is no longer recognised: the retention must cover any redelivery.
    ASSERT_TRUE(producer_->Append(kTopic, std::span(&events[0], 1)));
    EXPECT_EQ(Drain({&consumer}), 1);
    EXPECT_EQ(consumer.duplicates(), 0);
}

}  // namespace
}  // namespace reservo::messaging
