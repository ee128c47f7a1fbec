// KafkaEventLog against librdkafka's mock cluster, started in-process by each test (no Kafka server).
// The mock's consumer groups wait 3 s before their first assignment (Kafka's initial rebalance delay),
// so the group tests take a few seconds each.
#include "kit/messaging/kafka_event_log.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "kit/core/clock.hpp"
#include "kit/messaging/consumer.hpp"
#include "kit/messaging/kafka_dev.hpp"
#include "kit/messaging/outbox.hpp"
#include "kit/messaging/test_support.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::messaging {
namespace {

using store::Sql;
using testing::TempDir;

constexpr std::string_view kTopic = "reservations";
constexpr int kPartitions = 4;

// Polls `done` every 10 ms until it holds or `timeout_ms` passed; returns whether it held.
bool WaitFor(const std::function<bool()>& done, int timeout_ms = 10000) {
    const auto deadline = SteadyClock::now() + Millis(timeout_ms);
    while (!done()) {
        if (SteadyClock::now() > deadline) return false;
        std::this_thread::sleep_for(Millis(10));
    }
    return true;
}

std::vector<int> Sorted(std::vector<int> v) {
    std::ranges::sort(v);
    return v;
}

class KafkaEventLogTest : public ::testing::Test {
  protected:
    void SetUp() override { brokers_ = cluster_.Start(3).value(); }

    KafkaEventLogOptions Options() {
        return KafkaEventLogOptions{
            .brokers = brokers_,
            .group_prefix = "vaccine",
            .partitions = kPartitions,
            .client_settings = {{"reconnect.backoff.ms", "20"}, {"reconnect.backoff.max.ms", "200"}},
            // The mock drops a member silent for this long even while it waits 3 s for the first assignment,
            // and it waits session - 1 s for the members to rejoin at each rebalance.
            .session_timeout_ms = 3500,
            .message_timeout_ms = 2000,
            .request_timeout_ms = 3000,
            .create_topic = cluster_.Creator(),
        };
    }
    std::unique_ptr<KafkaEventLog> Open(KafkaEventLogOptions options) {
        // The mock answers an empty fetch after fetch.wait.max.ms (a real broker answers when data comes).
        options.fetch_wait_max_ms = 5;
        auto log = KafkaEventLog::Open(std::move(options));
        EXPECT_TRUE(log) << log.error().message;
        return log ? std::move(*log) : nullptr;
    }
    std::unique_ptr<KafkaEventLog> Open() { return Open(Options()); }

    static CloudEvent Event(const std::string& subject, int seq, std::string type = "VaccineReserved") {
        return CloudEvent::New("/vaccine/reservation", std::move(type), subject,
                               {{"seq", seq}, {"reservationId", subject}, {"nested", bj::object{{"a", 1}}}},
                               "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    // Appends as the outbox relay does: the same events again until the brokers acknowledged them all.
    static bool AppendAll(KafkaEventLog& log, std::string_view topic, std::span<const CloudEvent> events) {
        return WaitFor([&] { return log.Append(topic, events).has_value(); }, 10000);
    }

    // Everything in one partition from `from` to its end, read through `log`.
    static std::vector<Record> ReadAll(KafkaEventLog& log, std::string_view topic, int partition, int64_t from = 0) {
        std::vector<Record> out;
        const int64_t end = log.EndOffset(topic, partition).value();
        int64_t next = from;
        WaitFor([&] {
            auto records = log.Fetch(topic, partition, next, 100);
            EXPECT_TRUE(records) << records.error().message;
            for (auto& r : *records) {
                next = r.offset + 1;
                out.push_back(std::move(r));
            }
            return next >= end;
        });
        return out;
    }

    MockKafkaCluster cluster_;
    std::string brokers_;
};

TEST_F(KafkaEventLogTest, AppendThenFetchRoundTripsEveryAttributeOnItsPartition) {
    auto log = Open();
    std::vector<CloudEvent> events;
    for (int seq = 0; seq < 5; ++seq) {
        for (int s = 0; s < 6; ++s) events.push_back(Event("r-" + std::to_string(s), seq));
    }
    events[3].traceparent.clear();  // an absent extension stays absent
    const int64_t before = NowUnixMillis();
    const int64_t version = log->Version();
    ASSERT_TRUE(AppendAll(*log, kTopic, events));
    EXPECT_EQ(log->Partitions(kTopic), kPartitions);

    std::map<std::string, CloudEvent> by_id;
    for (const auto& e : events) by_id.emplace(e.id, e);
    size_t seen = 0;
    int64_t total = 0;
    for (int p = 0; p < kPartitions; ++p) {
        EXPECT_EQ(log->StartOffset(kTopic, p).value(), 0);
        total += log->EndOffset(kTopic, p).value();
        std::map<std::string, int> last_seq;
        for (const Record& r : ReadAll(*log, kTopic, p)) {
            ++seen;
            EXPECT_EQ(r.partition, p);
            EXPECT_EQ(PartitionFor(r.event.subject, kPartitions), p) << r.event.subject;
            auto it = by_id.find(r.event.id);
            ASSERT_NE(it, by_id.end());
            EXPECT_EQ(r.event, it->second);
            EXPECT_GE(r.appended_at_ms, before - 1000);
            EXPECT_LE(r.appended_at_ms, NowUnixMillis() + 1000);
            // Each subject's events keep their order.
            const int seq = static_cast<int>(r.event.data.at("seq").as_int64());
            if (auto prev = last_seq.find(r.event.subject); prev != last_seq.end()) {
                EXPECT_LT(prev->second, seq);
            }
            last_seq[r.event.subject] = seq;
        }
    }
    EXPECT_EQ(seen, events.size());
    EXPECT_EQ(total, static_cast<int64_t>(events.size()));
    EXPECT_NE(log->Version(), version);

    // Another process (another log) sees the same, and Fetch from the middle starts there.
    auto other = Open();
    const int p = PartitionFor("r-0", kPartitions);
    auto all = ReadAll(*other, kTopic, p);
    ASSERT_GE(all.size(), 3u);
    auto tail = ReadAll(*other, kTopic, p, all[2].offset);
    ASSERT_EQ(tail.size(), all.size() - 2);
    EXPECT_EQ(tail.front().event, all[2].event);
}

TEST_F(KafkaEventLogTest, RecordsAreCloudEventsInBinaryContentMode) {
    auto log = Open();
    CloudEvent event = Event("r-42", 7);
    ASSERT_TRUE(AppendAll(*log, kTopic, std::span(&event, 1)));

    // A plain Kafka consumer, as another platform's service would read the topic.
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", brokers_.c_str(), error, sizeof error), RD_KAFKA_CONF_OK);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    ASSERT_NE(rk, nullptr) << error;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, std::string(kTopic).c_str(), nullptr);
    const int partition = PartitionFor("r-42", kPartitions);
    ASSERT_EQ(rd_kafka_consume_start(rkt, partition, RD_KAFKA_OFFSET_BEGINNING), 0);
    rd_kafka_message_t* m = rd_kafka_consume(rkt, partition, 5000);
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->err, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(std::string(static_cast<const char*>(m->key), m->key_len), "r-42");
    EXPECT_EQ(json::ParseObject(std::string_view(static_cast<const char*>(m->payload), m->len)).value(), event.data);
    rd_kafka_headers_t* headers = nullptr;
    ASSERT_EQ(rd_kafka_message_headers(m, &headers), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto header = [&](const char* name) {
        const void* value = nullptr;
        size_t size = 0;
        if (rd_kafka_header_get_last(headers, name, &value, &size)) return std::string("<absent>");
        return std::string(static_cast<const char*>(value), size);
    };
    EXPECT_EQ(header("ce_specversion"), "1.0");
    EXPECT_EQ(header("ce_id"), event.id);
    EXPECT_EQ(header("ce_source"), "/vaccine/reservation");
    EXPECT_EQ(header("ce_type"), "VaccineReserved");
    EXPECT_EQ(header("ce_subject"), "r-42");
    EXPECT_EQ(header("ce_time"), event.time);
    EXPECT_EQ(header("ce_traceparent"), event.traceparent);
    EXPECT_EQ(header("content-type"), "application/json");
    EXPECT_EQ(header("ce_data"), "<absent>");
    rd_kafka_message_destroy(m);
    rd_kafka_consume_stop(rkt, partition);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

TEST_F(KafkaEventLogTest, CreatesMissingTopicsWithTheConfiguredPartitions) {
    auto options = Options();
    options.partitions = 6;
    auto log = Open(options);
    EXPECT_EQ(log->Partitions("payments"), 6);
    // Another process with another default finds the topic as created.
    auto other_options = Options();
    other_options.partitions = 2;
    auto other = Open(other_options);
    EXPECT_EQ(other->Partitions("payments"), 6);
    // The stores topic was created at Open, with one partition.
    EXPECT_EQ(other->Partitions("vaccine.stores"), 1);

    // Without a creator the mock (no CreateTopics API) falls back to its auto-creation: 4 partitions.
    auto fallback_options = Options();
    fallback_options.partitions = 6;
    fallback_options.create_topic = nullptr;
    fallback_options.stores_topic = "vaccine.stores";  // exists already
    auto fallback = Open(fallback_options);
    EXPECT_EQ(fallback->Partitions("auto-created"), 4);
}

TEST_F(KafkaEventLogTest, GroupMembersSplitThePartitionsAndTakeOverOnLeave) {
    auto a = Open();
    auto b = Open();
    const std::vector<int> all{0, 1, 2, 3};
    std::vector<int> owned_a, owned_b;
    auto beat = [&] {
        owned_a = a->Heartbeat("notification", kTopic, "a").value();
        owned_b = b->Heartbeat("notification", kTopic, "b").value();
    };
    ASSERT_TRUE(WaitFor([&] {
        beat();
        std::vector<int> both = owned_a;
        both.insert(both.end(), owned_b.begin(), owned_b.end());
        return !owned_a.empty() && !owned_b.empty() && Sorted(both) == all;
    }));

    // Commits round-trip; a smaller one is ignored.
    const int mine = owned_b.front();
    ASSERT_TRUE(b->Commit("notification", kTopic, mine, 5));
    EXPECT_EQ(b->Committed("notification", kTopic, mine).value(), 5);
    ASSERT_TRUE(b->Commit("notification", kTopic, mine, 3));
    EXPECT_EQ(b->Committed("notification", kTopic, mine).value(), 5);
    // A commit on a partition this member does not own changes nothing.
    ASSERT_TRUE(b->Commit("notification", kTopic, owned_a.front(), 9));
    EXPECT_EQ(a->Committed("notification", kTopic, owned_a.front()).value(), 0);
    // Let the asynchronous commit reach the coordinator before leaving.
    ASSERT_TRUE(WaitFor([&] {
        b->Heartbeat("notification", kTopic, "b").value();
        return a->Committed("notification", kTopic, mine).value() == 5;
    }));

    b->Leave("notification", "b");
    ASSERT_TRUE(WaitFor([&] { return a->Heartbeat("notification", kTopic, "a").value() == all; }));
    EXPECT_EQ(a->Committed("notification", kTopic, mine).value(), 5);  // resumes where b left off

    // A new member resumes from the committed offset too.
    auto c = Open();
    std::vector<int> owned_c;
    ASSERT_TRUE(WaitFor([&] {
        owned_a = a->Heartbeat("notification", kTopic, "a").value();
        owned_c = c->Heartbeat("notification", kTopic, "c").value();
        std::vector<int> both = owned_a;
        both.insert(both.end(), owned_c.begin(), owned_c.end());
        return !owned_a.empty() && !owned_c.empty() && Sorted(both) == all;
    }));
    const bool c_has_it = std::ranges::find(owned_c, mine) != owned_c.end();
    EXPECT_EQ((c_has_it ? c : a)->Committed("notification", kTopic, mine).value(), 5);

    // Another system's group of the same name is another Kafka group.
    auto other_options = Options();
    other_options.group_prefix = "other";
    other_options.stores_topic = "other.stores";
    auto other = Open(other_options);
    EXPECT_EQ(other->Committed("notification", kTopic, mine).value(), 0);
    EXPECT_EQ(other->GroupId("notification"), "other.notification");
}

TEST_F(KafkaEventLogTest, KnownStoreAndAdoptStoreRoundTrip) {
    auto log = Open();
    EXPECT_EQ(log->KnownStore("notification").value(), std::nullopt);
    ASSERT_TRUE(log->AdoptStore("notification", {.store_id = "s-1", .view_version = 0}, kTopic, false));
    ASSERT_TRUE(log->AdoptStore("vaccine-view", {.store_id = "v-1", .view_version = 2}, kTopic, false));
    ASSERT_TRUE(log->AdoptStore("notification", {.store_id = "s-2", .view_version = 1}, kTopic, false));
    auto known = log->KnownStore("notification").value();
    ASSERT_TRUE(known);
    EXPECT_EQ(known->store_id, "s-2");
    EXPECT_EQ(known->view_version, 1);
    // Another process reads the same.
    auto other = Open();
    EXPECT_EQ(other->KnownStore("vaccine-view").value()->store_id, "v-1");
    EXPECT_EQ(other->KnownStore("notification").value()->store_id, "s-2");
    EXPECT_EQ(other->KnownStore("payment").value(), std::nullopt);
}

TEST_F(KafkaEventLogTest, ReplayMovesAGroupWithoutMembersBackToTheStart) {
    auto log = Open();
    std::vector<CloudEvent> events;
    for (int i = 0; i < 12; ++i) events.push_back(Event("r-" + std::to_string(i), i));
    ASSERT_TRUE(AppendAll(*log, kTopic, events));
    // Standalone commits (this process is no member of the group).
    for (int p = 0; p < kPartitions; ++p) {
        const int64_t end = log->EndOffset(kTopic, p).value();
        ASSERT_TRUE(log->Commit("vaccine-view", kTopic, p, end));
        EXPECT_EQ(log->Committed("vaccine-view", kTopic, p).value(), end);
    }
    ASSERT_TRUE(log->AdoptStore("vaccine-view", {.store_id = "v-2", .view_version = 3}, kTopic, true));
    for (int p = 0; p < kPartitions; ++p) EXPECT_EQ(log->Committed("vaccine-view", kTopic, p).value(), 0);
    EXPECT_EQ(log->KnownStore("vaccine-view").value()->view_version, 3);
}

TEST_F(KafkaEventLogTest, ReplayOfAGroupWithMembersHappensWhenThisProcessJoins) {
    auto running = Open();
    std::vector<CloudEvent> events;
    for (int i = 0; i < 12; ++i) events.push_back(Event("r-" + std::to_string(i), i));
    ASSERT_TRUE(AppendAll(*running, kTopic, events));
    ASSERT_TRUE(running->AdoptStore("vaccine-view", {.store_id = "v-1", .view_version = 1}, kTopic, false));
    std::vector<int> owned;
    ASSERT_TRUE(WaitFor([&] {
        owned = running->Heartbeat("vaccine-view", kTopic, "old").value();
        return owned.size() == kPartitions;
    }));
    for (int p : owned) ASSERT_TRUE(running->Commit("vaccine-view", kTopic, p, running->EndOffset(kTopic, p).value()));

    // A restarted replica with a new projection: the group has a live member, so the reset waits for this
    // process to be a member too; until then the store record stays the old one.
    auto restarted = Open();
    ASSERT_TRUE(restarted->AdoptStore("vaccine-view", {.store_id = "v-1", .view_version = 2}, kTopic, true));
    EXPECT_EQ(restarted->KnownStore("vaccine-view").value()->view_version, 1);
    std::vector<int> mine;
    ASSERT_TRUE(WaitFor([&] {
        (void)running->Heartbeat("vaccine-view", kTopic, "old");
        auto r = restarted->Heartbeat("vaccine-view", kTopic, "new");
        if (r) mine = *r;
        return !mine.empty();
    }));
    // The whole group went back, the partitions of the other member too.
    for (int p = 0; p < kPartitions; ++p) EXPECT_EQ(restarted->Committed("vaccine-view", kTopic, p).value(), 0) << p;
    EXPECT_EQ(restarted->KnownStore("vaccine-view").value()->view_version, 2);
}

TEST_F(KafkaEventLogTest, AnAppendNotYetAcknowledgedIsWaitedForNotSentAgain) {
    KafkaEventLogOptions options = Options();
    options.append_wait_ms = 0;  // never waits: answers Unavailable while anything is in flight
    auto log = Open(options);
    std::vector<CloudEvent> events;
    for (int i = 0; i < 20; ++i) events.push_back(Event("k-" + std::to_string(i), i));
    auto first = log->Append(kTopic, events);
    ASSERT_FALSE(first);  // produced, not acknowledged within 0 ms
    EXPECT_EQ(first.error().code, Code::kUnavailable);
    int calls = 1;
    ASSERT_TRUE(WaitFor([&] {
        ++calls;
        return log->Append(kTopic, events).has_value();
    }));
    EXPECT_GT(calls, 1);
    std::map<std::string, int> copies;
    for (int p = 0; p < kPartitions; ++p) {
        for (const Record& r : ReadAll(*log, kTopic, p)) ++copies[r.event.id];
    }
    ASSERT_EQ(copies.size(), events.size());
    for (const auto& [id, n] : copies) EXPECT_EQ(n, 1) << id << " appended " << n << " times in " << calls << " calls";
}

TEST_F(KafkaEventLogTest, AppendFailsWhileTheBrokersAreDownAndLosesNothing) {
    auto log = Open();
    std::vector<CloudEvent> first, second;
    for (int i = 0; i < 8; ++i) first.push_back(Event("r-" + std::to_string(i), i));
    for (int i = 0; i < 8; ++i) second.push_back(Event("r-" + std::to_string(i), 100 + i));
    ASSERT_TRUE(AppendAll(*log, kTopic, first));
    EXPECT_TRUE(log->Check());

    ASSERT_TRUE(cluster_.SetDown(true));
    auto down = log->Append(kTopic, second);
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().code, Code::kUnavailable);
    ASSERT_TRUE(WaitFor([&] { return !log->Check(); }, 5000));
    EXPECT_NE(log->Check().error().message.find(brokers_), std::string::npos) << log->Check().error().message;
    // Known down: an Append fails fast instead of holding the caller's event loop.
    const auto start = SteadyClock::now();
    EXPECT_FALSE(log->Append(kTopic, second));
    EXPECT_LT(SteadyClock::now() - start, Millis(1000));

    ASSERT_TRUE(cluster_.SetDown(false));
    ASSERT_TRUE(WaitFor([&] { return log->Check().has_value(); }, 5000));  // before any append succeeds
    int attempts = 0;
    ASSERT_TRUE(WaitFor(
        [&] {
            ++attempts;
            return log->Append(kTopic, second).has_value();  // the relay's retry: the whole batch again
        },
        15000));

    // Every event is there; the first batch once, the second at least once, and each subject in order.
    std::map<std::string, int> count;
    for (int p = 0; p < kPartitions; ++p) {
        std::map<std::string, int64_t> last;
        for (const Record& r : ReadAll(*log, kTopic, p)) {
            ++count[r.event.id];
            const int64_t seq = r.event.data.at("seq").as_int64();
            EXPECT_GE(seq, last[r.event.subject]) << r.event.subject;
            last[r.event.subject] = seq;
        }
    }
    for (const auto& e : first) EXPECT_EQ(count[e.id], 1) << e.subject;
    int duplicates = 0;
    for (const auto& e : second) {
        EXPECT_GE(count[e.id], 1) << e.subject;
        duplicates += count[e.id] - 1;
    }
    std::cout << "appends while recovering: " << attempts << ", duplicated events: " << duplicates << "\n";
}

// The consuming service's state: one row per applied effect, without a unique key, so that applying an
// event twice would show.
constexpr store::Migration kServiceMigrations[] = {
    {1,
     "CREATE TABLE effects (n INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, subject TEXT NOT NULL,"
     " seq INTEGER NOT NULL)"},
};
constexpr Sql kAddEffect{"add_effect", "INSERT INTO effects (event_id, subject, seq) VALUES (?, ?, ?)"};
constexpr Sql kCountEffects{"count_effects", "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM effects"};
constexpr Sql kEffectsOf{"effects_of", "SELECT seq FROM effects WHERE subject = ? ORDER BY n"};

TEST_F(KafkaEventLogTest, ConsumerAppliesRelayedEventsExactlyOnce) {
    TempDir dir;
    auto producer_db = store::SqliteDatabase::Open(dir.File("reservation.db")).value();
    ASSERT_TRUE(producer_db->Migrate(Outbox::Migrations()));
    auto consumer_db = store::SqliteDatabase::Open(dir.File("notification.db")).value();
    ASSERT_TRUE(consumer_db->Migrate(kServiceMigrations));
    ASSERT_TRUE(consumer_db->Migrate(Consumer::Migrations()));
    auto producer_log = Open();
    auto consumer_log = Open();

    OutboxRelay relay(*producer_db, *producer_log, std::string(kTopic));
    Consumer consumer(
        *consumer_db, *consumer_log,
        {.group = "notification", .topic = std::string(kTopic), .member_id = "n-1", .heartbeat_interval = Millis(100)});
    consumer.On("VaccineReserved", [](const CloudEvent& e, store::Database& db) -> Status {
        auto r = db.Execute(kAddEffect, {e.id, e.subject, e.data.at("seq").as_int64()});
        if (!r) return Fail(r.error());
        return Ok();
    });

    std::vector<CloudEvent> events;
    for (int seq = 0; seq < 10; ++seq) {
        auto tx = producer_db->Begin().value();
        for (int s = 0; s < 5; ++s) {
            events.push_back(Event("r-" + std::to_string(s), seq));
            ASSERT_TRUE(Outbox::Add(*producer_db, events.back()));
        }
        ASSERT_TRUE(tx.Commit());
    }
    // As the host relays: a pass whose events are not acknowledged yet keeps its rows for the next one.
    auto relay_until_empty = [&](int max) {
        int moved = 0;
        EXPECT_TRUE(WaitFor([&] {
            auto n = relay.RelayOnce(max);
            if (n) moved += *n;
            return n && *n == 0 && relay.Backlog() == 0;
        }));
        return moved;
    };
    EXPECT_EQ(relay_until_empty(20), 50);
    EXPECT_EQ(relay.Backlog(), 0);
    // A relay that crashed before deleting its rows appends them again.
    ASSERT_TRUE(AppendAll(*producer_log, kTopic, std::span(events).subspan(0, 10)));

    auto effects = [&] {
        auto row = consumer_db->QueryOne(kCountEffects).value();
        return std::make_pair(row.Int(0), row.Int(1));
    };
    ASSERT_TRUE(WaitFor(
        [&] {
            EXPECT_TRUE(consumer.PollOnce());
            return consumer.processed() + consumer.duplicates() == 60;
        },
        15000))
        << consumer.processed() << " applied, " << consumer.duplicates() << " duplicates";
    EXPECT_EQ(effects(), std::make_pair(int64_t{50}, int64_t{50}));
    EXPECT_EQ(consumer.duplicates(), 10);
    for (int s = 0; s < 5; ++s) {
        std::vector<int64_t> seqs;
        auto rows = consumer_db->Query(kEffectsOf, {"r-" + std::to_string(s)}).value();
        for (const auto& row : rows) seqs.push_back(row.Int(0));
        EXPECT_EQ(seqs, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << s;
    }
    EXPECT_EQ(consumer.owned(), (std::vector<int>{0, 1, 2, 3}));
    ASSERT_TRUE(WaitFor([&] {
        (void)consumer.PollOnce();
        return consumer.Lag().value() == 0;
    }));

    // Idle: the pump's wake-up signal stays still; a new event moves it.
    (void)consumer.PollOnce();
    const int64_t idle = consumer_log->Version();
    std::this_thread::sleep_for(Millis(50));
    EXPECT_EQ(consumer_log->Version(), idle);
    auto late = Event("r-1", 10);
    ASSERT_TRUE(AppendAll(*producer_log, kTopic, std::span(&late, 1)));
    ASSERT_TRUE(WaitFor([&] { return consumer_log->Version() != idle; }, 5000));
    ASSERT_TRUE(WaitFor([&] {
        (void)consumer.PollOnce();
        return consumer.processed() == 51;
    }));
    consumer.Close();
}

}  // namespace
}  // namespace reservo::messaging
