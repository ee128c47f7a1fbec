#include "kit/messaging/sqlite_event_log.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "kit/messaging/test_support.hpp"

namespace reservo::messaging {
namespace {

using testing::FakeClock;
using testing::TempDir;

constexpr std::string_view kTopic = "reservations";
constexpr int kPartitions = 4;

CloudEvent Event(const std::string& subject, int seq, std::string type = "VaccineReserved") {
    return CloudEvent::New("/vaccine/reservation", std::move(type), subject, {{"seq", seq}});
}

class SqliteEventLogTest : public ::testing::Test {
  protected:
    std::unique_ptr<SqliteEventLog> Open(int partitions = kPartitions) {
        return SqliteEventLog::Open(dir_.File("events.db"), partitions,
                                    {.session_timeout_ms = 3000, .now_ms = clock_.Source()})
            .value();
    }
    TempDir dir_;
    FakeClock clock_;
};

TEST(PartitionerTest, Murmur2MatchesKafka) {
    // org.apache.kafka.common.utils.UtilsTest.testMurmur2
    EXPECT_EQ(Murmur2("21"), -973932308);
    EXPECT_EQ(Murmur2("foobar"), -790332482);
    EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
    EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
    EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
    EXPECT_EQ(Murmur2("abc"), 479470107);
}

TEST(PartitionerTest, PartitionIsStableBoundedAndSpread) {
    std::set<int> used;
    for (int i = 0; i < 200; ++i) {
        std::string subject = "reservation-" + std::to_string(i);
        int p = PartitionFor(subject, 8);
        ASSERT_GE(p, 0);
        ASSERT_LT(p, 8);
        EXPECT_EQ(PartitionFor(subject, 8), p);
        used.insert(p);
    }
    EXPECT_EQ(used.size(), 8u);
    EXPECT_EQ(PartitionFor("anything", 1), 0);
    // Kafka: toPositive(murmur2("21")) % 8
    EXPECT_EQ(PartitionFor("21", 8), static_cast<int>((static_cast<uint32_t>(-973932308) & 0x7fffffffu) % 8));
}

TEST_F(SqliteEventLogTest, AppendKeepsEachSubjectInOrderOnItsPartition) {
    auto producer1 = Open();
    auto producer2 = Open();  // another process appending to the same file
    std::vector<std::string> subjects = {"r-1", "r-2", "r-3", "r-4", "r-5", "r-6"};
    for (int seq = 0; seq < 10; ++seq) {
        std::vector<CloudEvent> batch;
        for (const auto& s : subjects) batch.push_back(Event(s, seq));
        auto& producer = seq % 2 ? producer1 : producer2;
        ASSERT_TRUE(producer->Append(kTopic, batch));
    }
    auto reader = Open();
    std::map<std::string, std::vector<int64_t>> seen;
    size_t total = 0;
    for (int p = 0; p < kPartitions; ++p) {
        auto records = reader->Fetch(kTopic, p, 0, 1000).value();
        total += records.size();
        for (size_t i = 0; i < records.size(); ++i) {
            EXPECT_EQ(records[i].offset, static_cast<int64_t>(i));  // dense offsets
            EXPECT_EQ(records[i].partition, p);
            EXPECT_EQ(PartitionFor(records[i].event.subject, kPartitions), p);
            EXPECT_GT(records[i].appended_at_ms, 0);
            seen[records[i].event.subject].push_back(records[i].event.data.at("seq").as_int64());
        }
        EXPECT_EQ(reader->EndOffset(kTopic, p).value(), static_cast<int64_t>(records.size()));
    }
    EXPECT_EQ(total, subjects.size() * 10);
    for (const auto& s : subjects) {
        ASSERT_EQ(seen[s].size(), 10u) << s;
        EXPECT_TRUE(std::is_sorted(seen[s].begin(), seen[s].end())) << s;
    }
}

TEST_F(SqliteEventLogTest, FetchPagesFromAnOffset) {
    auto log = Open(1);
    std::vector<CloudEvent> events;
    for (int i = 0; i < 5; ++i) events.push_back(Event("r", i));
    ASSERT_TRUE(log->Append(kTopic, events));
    auto page = log->Fetch(kTopic, 0, 2, 2).value();
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].offset, 2);
    EXPECT_EQ(page[0].event, events[2]);
    EXPECT_EQ(page[1].event, events[3]);
    EXPECT_TRUE(log->Fetch(kTopic, 0, 5, 10).value().empty());
    EXPECT_TRUE(log->Fetch("other", 0, 0, 10).value().empty());
}

TEST_F(SqliteEventLogTest, FirstOpenerFixesTheTopicsPartitionCount) {
    auto first = Open(4);
    EXPECT_EQ(first->Partitions(kTopic), 4);
    auto second = Open(2);
    EXPECT_EQ(second->Partitions(kTopic), 4);
    EXPECT_EQ(second->Partitions("fresh"), 2);
}

TEST_F(SqliteEventLogTest, CommittedOffsetsNeverMoveBackwards) {
    auto log = Open();
    EXPECT_EQ(log->Committed("g", kTopic, 1).value(), 0);
    ASSERT_TRUE(log->Commit("g", kTopic, 1, 5));
    EXPECT_EQ(log->Committed("g", kTopic, 1).value(), 5);
    ASSERT_TRUE(log->Commit("g", kTopic, 1, 3));
    EXPECT_EQ(log->Committed("g", kTopic, 1).value(), 5);
    ASSERT_TRUE(log->Commit("g", kTopic, 1, 9));
    auto other = Open();
    EXPECT_EQ(other->Committed("g", kTopic, 1).value(), 9);
    EXPECT_EQ(other->Committed("g", kTopic, 0).value(), 0);
    EXPECT_EQ(other->Committed("h", kTopic, 1).value(), 0);  // groups are independent
}

TEST_F(SqliteEventLogTest, MembersSplitPartitionsDisjointly) {
    auto a = Open(6);
    auto b = Open(6);
    auto c = Open(6);
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value(), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    ASSERT_TRUE(b->Heartbeat("g", kTopic, "b"));
    ASSERT_TRUE(c->Heartbeat("g", kTopic, "c"));
    std::vector<int> all;
    using Member = std::pair<SqliteEventLog*, const char*>;
    for (auto [log, member] : {Member{a.get(), "a"}, Member{b.get(), "b"}, Member{c.get(), "c"}}) {
        auto owned = log->Heartbeat("g", kTopic, member).value();
        EXPECT_EQ(owned.size(), 2u) << member;
        all.insert(all.end(), owned.begin(), owned.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    // Another group on the same topic is assigned independently.
    EXPECT_EQ(c->Heartbeat("other", kTopic, "c").value().size(), 6u);
}

TEST_F(SqliteEventLogTest, SilentMemberLosesItsPartitionsAfterTheSessionTimeout) {
    auto a = Open();
    auto b = Open();
    ASSERT_TRUE(a->Heartbeat("g", kTopic, "a"));
    ASSERT_EQ(b->Heartbeat("g", kTopic, "b").value(), (std::vector<int>{1, 3}));
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value(), (std::vector<int>{0, 2}));
    clock_.Advance(2999);
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value(), (std::vector<int>{0, 2}));  // b is still within its session
    clock_.Advance(2);
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value(), (std::vector<int>{0, 1, 2, 3}));
    // b comes back: it rejoins and gets its share again.
    EXPECT_EQ(b->Heartbeat("g", kTopic, "b").value(), (std::vector<int>{1, 3}));
}

TEST_F(SqliteEventLogTest, LeavingHandsPartitionsOverAtOnce) {
    auto a = Open();
    auto b = Open();
    ASSERT_TRUE(a->Heartbeat("g", kTopic, "a"));
    ASSERT_TRUE(b->Heartbeat("g", kTopic, "b"));
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value().size(), 2u);
    b->Leave("g", "b");
    EXPECT_EQ(a->Heartbeat("g", kTopic, "a").value().size(), 4u);
}

TEST_F(SqliteEventLogTest, VersionMovesOnAppendsFromAnyProcess) {
    auto consumer = Open();
    auto producer = Open();
    EXPECT_TRUE(consumer->HasNewData());  // the first check always looks
    EXPECT_FALSE(consumer->HasNewData());
    int64_t before = consumer->Version();
    EXPECT_EQ(consumer->Version(), before);
    ASSERT_TRUE(producer->Append(kTopic, std::vector{Event("r", 1)}));
    EXPECT_NE(consumer->Version(), before);
    EXPECT_TRUE(consumer->HasNewData());
    EXPECT_FALSE(consumer->HasNewData());
    ASSERT_TRUE(consumer->Append(kTopic, std::vector{Event("r", 2)}));  // its own append counts too
    EXPECT_TRUE(consumer->HasNewData());
}

TEST_F(SqliteEventLogTest, CheckNoticesATruncatedOrReplacedFile) {
    auto log = Open();
    ASSERT_TRUE(log->Append(kTopic, std::vector<CloudEvent>{Event("1", 1)}));
    EXPECT_TRUE(log->Check());
    ASSERT_EQ(::truncate(dir_.File("events.db").c_str(), 0), 0);
    auto truncated = log->Check();
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message.find("truncated"), std::string::npos) << truncated.error().message;

    ASSERT_EQ(std::rename(dir_.File("events.db").c_str(), dir_.File("old.db").c_str()), 0);
    auto missing = log->Check();
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("missing"), std::string::npos) << missing.error().message;
}

TEST_F(SqliteEventLogTest, ADamagedFileIsRefusedAtOpenInOneLine) {
    {
        std::FILE* f = std::fopen(dir_.File("events.db").c_str(), "wb");
        ASSERT_TRUE(f);
        std::string junk(8192, 'x');
        std::fwrite(junk.data(), 1, junk.size(), f);
        std::fclose(f);
    }
    auto log = SqliteEventLog::Open(dir_.File("events.db"), kPartitions);
    ASSERT_FALSE(log);
    EXPECT_NE(log.error().message.find("is unusable"), std::string::npos) << log.error().message;
    EXPECT_EQ(log.error().message.find('\n'), std::string::npos);
}

TEST_F(SqliteEventLogTest, AdoptingAStoreWithReplayForgetsTheGroupsOffsets) {
    auto log = Open();
    EXPECT_FALSE(log->KnownStore("mypage").value());
    ASSERT_TRUE(log->AdoptStore("mypage", {.store_id = "a", .view_version = 1}, kTopic, false));
    ASSERT_TRUE(log->Commit("mypage", kTopic, 0, 5));
    ASSERT_TRUE(log->Commit("notification", kTopic, 0, 7));
    auto known = log->KnownStore("mypage").value();
    ASSERT_TRUE(known);
    EXPECT_EQ(known->store_id, "a");
    EXPECT_EQ(known->view_version, 1);

    ASSERT_TRUE(log->AdoptStore("mypage", {.store_id = "b", .view_version = 1}, kTopic, true));
    EXPECT_EQ(log->KnownStore("mypage").value()->store_id, "b");
    EXPECT_EQ(log->Committed("mypage", kTopic, 0).value(), 0) << "the view replays from the start";
    EXPECT_EQ(log->Committed("notification", kTopic, 0).value(), 7) << "other groups keep theirs";
}

// A VFS that forwards to the default one and counts the syncs of each file kind, so a test can
// see what SQLite really asks of the disk.
struct SyncCounter {
    static inline sqlite3_vfs* real = nullptr;
    static inline int wal_syncs = 0;
    struct File {
        sqlite3_file base;
        sqlite3_file* inner;
        bool wal;
    };
    static inline sqlite3_io_methods methods{};
    static sqlite3_file* Inner(sqlite3_file* f) { return reinterpret_cast<File*>(f)->inner; }

    static void Install() {
        if (real) return;
        real = sqlite3_vfs_find(nullptr);
        static sqlite3_vfs vfs = *real;
        vfs.zName = "sync-counter";
        vfs.szOsFile = static_cast<int>(sizeof(File));
        vfs.xOpen = [](sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out) {
            auto* f = reinterpret_cast<File*>(file);
            f->inner = static_cast<sqlite3_file*>(sqlite3_malloc(real->szOsFile));
            f->wal = (flags & SQLITE_OPEN_WAL) != 0;
            int rc = real->xOpen(real, name, f->inner, flags, out);
            if (rc != SQLITE_OK || !f->inner->pMethods) {
                sqlite3_free(f->inner);
                f->base.pMethods = nullptr;
                return rc;
            }
            methods = *f->inner->pMethods;
            methods.xClose = [](sqlite3_file* fp) {
                int r = Inner(fp)->pMethods->xClose(Inner(fp));
                sqlite3_free(Inner(fp));
                return r;
            };
            methods.xRead = [](sqlite3_file* fp, void* b, int n, sqlite3_int64 o) {
                return Inner(fp)->pMethods->xRead(Inner(fp), b, n, o);
            };
            methods.xWrite = [](sqlite3_file* fp, const void* b, int n, sqlite3_int64 o) {
                return Inner(fp)->pMethods->xWrite(Inner(fp), b, n, o);
            };
            methods.xTruncate = [](sqlite3_file* fp, sqlite3_int64 s) {
                return Inner(fp)->pMethods->xTruncate(Inner(fp), s);
            };
            methods.xSync = [](sqlite3_file* fp, int flags) {
                if (reinterpret_cast<File*>(fp)->wal) ++wal_syncs;
                return Inner(fp)->pMethods->xSync(Inner(fp), flags);
            };
            methods.xFileSize = [](sqlite3_file* fp, sqlite3_int64* s) {
                return Inner(fp)->pMethods->xFileSize(Inner(fp), s);
            };
            methods.xLock = [](sqlite3_file* fp, int l) { return Inner(fp)->pMethods->xLock(Inner(fp), l); };
            methods.xUnlock = [](sqlite3_file* fp, int l) { return Inner(fp)->pMethods->xUnlock(Inner(fp), l); };
            methods.xCheckReservedLock = [](sqlite3_file* fp, int* r) {
                return Inner(fp)->pMethods->xCheckReservedLock(Inner(fp), r);
            };
            methods.xFileControl = [](sqlite3_file* fp, int op, void* a) {
                return Inner(fp)->pMethods->xFileControl(Inner(fp), op, a);
            };
            methods.xSectorSize = [](sqlite3_file* fp) { return Inner(fp)->pMethods->xSectorSize(Inner(fp)); };
            methods.xDeviceCharacteristics = [](sqlite3_file* fp) {
                return Inner(fp)->pMethods->xDeviceCharacteristics(Inner(fp));
            };
            methods.xShmMap = [](sqlite3_file* fp, int pg, int sz, int ext, void volatile** p) {
                return Inner(fp)->pMethods->xShmMap(Inner(fp), pg, sz, ext, p);
            };
            methods.xShmLock = [](sqlite3_file* fp, int off, int n, int fl) {
                return Inner(fp)->pMethods->xShmLock(Inner(fp), off, n, fl);
            };
            methods.xShmBarrier = [](sqlite3_file* fp) { Inner(fp)->pMethods->xShmBarrier(Inner(fp)); };
            methods.xShmUnmap = [](sqlite3_file* fp, int del) {
                return Inner(fp)->pMethods->xShmUnmap(Inner(fp), del);
            };
            methods.iVersion = 2;
            f->base.pMethods = &methods;
            return rc;
        };
        sqlite3_vfs_register(&vfs, 1);
    }
};

// Finding 12: the relay deletes an outbox row only after its event is durable; so an append is
// synced to disk before it returns, while offset commits (safe to lose) are not.
TEST_F(SqliteEventLogTest, AppendsAreSyncedAndOffsetCommitsAreNot) {
    SyncCounter::Install();
    auto log = Open();
    ASSERT_TRUE(log->Append(kTopic, std::vector<CloudEvent>{Event("warm-up", 0)}));
    int before = SyncCounter::wal_syncs;
    ASSERT_TRUE(log->Append(kTopic, std::vector<CloudEvent>{Event("1", 1)}));
    EXPECT_GT(SyncCounter::wal_syncs, before) << "an append must reach the disk before it returns";
    before = SyncCounter::wal_syncs;
    ASSERT_TRUE(log->Commit("notification", kTopic, 0, 1));
    ASSERT_TRUE(log->Commit("notification", kTopic, 0, 2));
    EXPECT_EQ(SyncCounter::wal_syncs, before) << "offset commits are not synced";
}

TEST_F(SqliteEventLogTest, RetentionDeletesOldRecordsFromTheStartAndNeverReusesAnOffset) {
    auto log = Open(1);
    std::vector<CloudEvent> old_events;
    for (int i = 0; i < 5; ++i) old_events.push_back(Event("r", i));
    ASSERT_TRUE(log->Append(kTopic, old_events));
    clock_.Advance(10'000);
    ASSERT_TRUE(log->Append(kTopic, std::vector{Event("r", 5), Event("r", 6)}));
    EXPECT_EQ(log->StartOffset(kTopic, 0).value(), 0);

    EXPECT_EQ(log->DeleteExpired(0).deleted, 0);  // 0: keep forever
    auto pruned = log->DeleteExpired(5'000);
    EXPECT_EQ(pruned.deleted, 5);
    EXPECT_FALSE(pruned.more);
    EXPECT_EQ(log->StartOffset(kTopic, 0).value(), 5);
    EXPECT_EQ(log->EndOffset(kTopic, 0).value(), 7);
    auto kept = log->Fetch(kTopic, 0, 0, 10).value();  // from a pruned offset: from the earliest kept
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].offset, 5);

    // Everything has expired: the newest record stays, so the next append does not reuse its offset.
    clock_.Advance(10'000);
    EXPECT_EQ(log->DeleteExpired(5'000).deleted, 1);
    EXPECT_EQ(log->StartOffset(kTopic, 0).value(), 6);
    ASSERT_TRUE(log->Append(kTopic, std::vector{Event("r", 7)}));
    EXPECT_EQ(log->EndOffset(kTopic, 0).value(), 8);
    EXPECT_EQ(log->Fetch(kTopic, 0, 7, 1).value().at(0).event.data.at("seq").as_int64(), 7);
    // An empty partition starts where it ends.
    EXPECT_EQ(log->StartOffset(kTopic, 3).value(), 0);
    EXPECT_EQ(log->StartOffset("unknown", 0).value(), 0);
}

TEST_F(SqliteEventLogTest, RetentionGoesInSmallBatchesPerPartition) {
    auto log = Open(2);
    std::vector<CloudEvent> events;
    for (int i = 0; i < 40; ++i) events.push_back(Event("r-" + std::to_string(i), i));
    ASSERT_TRUE(log->Append(kTopic, events));
    ASSERT_TRUE(log->Append("other", std::vector{Event("x", 0), Event("x", 1)}));
    clock_.Advance(60'000);
    for (int p = 0; p < 2; ++p) {  // a newer record on each partition
        int i = 0;
        while (PartitionFor("n-" + std::to_string(i), 2) != p) ++i;
        ASSERT_TRUE(log->Append(kTopic, std::vector{Event("n-" + std::to_string(i), 99)}));
    }
    int64_t before = 0;
    for (int p = 0; p < 2; ++p) {
        before += log->EndOffset(kTopic, p).value() - log->StartOffset(kTopic, p).value();
    }
    ASSERT_EQ(before, 42);

    int64_t deleted = 0;
    int passes = 0;
    for (Pruned pass{.more = true}; pass.more; ++passes) {
        pass = log->DeleteExpired(1'000, 3);
        EXPECT_LE(pass.deleted, 3 * 4);  // at most 3 per partition: 2 topics of 2 partitions
        deleted += pass.deleted;
    }
    EXPECT_GT(passes, 3);
    EXPECT_EQ(deleted, 40 + 1);  // all of the first 40, and the older of "other" (its newest stays)
    for (int p = 0; p < 2; ++p) {
        auto records = log->Fetch(kTopic, p, 0, 100).value();
        for (const auto& record : records) {
            EXPECT_EQ(record.event.data.at("seq").as_int64(), 99);
        }
    }
}

TEST_F(SqliteEventLogTest, LoopWorkFailsAtOnceWhileAnotherProcessHoldsTheLock) {
    auto log = Open();
    auto member = Open();
    ASSERT_TRUE(log->Append(kTopic, std::vector{Event("r", 0)}));
    ASSERT_TRUE(member->Heartbeat("g", kTopic, "m"));
    clock_.Advance(60'000);
    ASSERT_TRUE(log->Append(kTopic, std::vector{Event("r", 1)}));
    auto newcomer = Open();
    auto other = store::SqliteDatabase::Open(dir_.File("events.db")).value();
    auto held = other->Begin().value();

    auto prompt = [](auto&& call) {
        auto start = std::chrono::steady_clock::now();
        auto r = call();
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
        return r;
    };
    auto appended = prompt([&] { return log->Append(kTopic, std::vector{Event("r", 2)}); });
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error().code, Code::kUnavailable);
    auto committed = prompt([&] { return member->Commit("g", kTopic, 0, 1); });
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error().code, Code::kUnavailable);
    auto beat = prompt([&] { return member->Heartbeat("g", kTopic, "m"); });
    ASSERT_FALSE(beat);
    EXPECT_EQ(beat.error().code, Code::kUnavailable);
    auto joined = prompt([&] { return newcomer->Heartbeat("g", "new-topic", "n"); });  // creating a topic too
    ASSERT_FALSE(joined);
    auto pruned = prompt([&] { return log->DeleteExpired(1'000); });
    EXPECT_EQ(pruned.deleted, 0);
    EXPECT_GT(pruned.busy, 0);
    EXPECT_TRUE(pruned.more);
    // Reads go on beside the writer.
    EXPECT_EQ(member->Fetch(kTopic, PartitionFor("r", kPartitions), 0, 10).value().size(), 2u);
    EXPECT_TRUE(member->Check());

    ASSERT_TRUE(held.Commit());
    EXPECT_TRUE(log->Append(kTopic, std::vector{Event("r", 2)}));
    EXPECT_TRUE(member->Commit("g", kTopic, 0, 1));
    EXPECT_TRUE(member->Heartbeat("g", kTopic, "m"));
    EXPECT_EQ(log->DeleteExpired(1'000).deleted, 1);
}

}  // namespace
}  // namespace reservo::messaging
