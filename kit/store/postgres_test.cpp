// The PostgreSQL adapter against a real server: Debian's PostgreSQL started in a temporary
// directory for this test binary (LocalPostgres), stopped and started again to break connections.
#include "kit/store/postgres.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "kit/core/fiber.hpp"
#include "kit/store/local_postgres.hpp"
#include "kit/store/table.hpp"

namespace reservo::store {
namespace {

constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE lots (id INTEGER PRIMARY KEY AUTOINCREMENT, hospital TEXT NOT NULL UNIQUE, qty INTEGER NOT NULL "
     "CHECK (qty >= 0), price REAL)"},
};
constexpr Sql kInsert{"insert_lot", "INSERT INTO lots (hospital, qty, price) VALUES (?, ?, ?) RETURNING id"};
constexpr Sql kTake{"take_dose", "UPDATE lots SET qty = qty - 1 WHERE id = ? AND qty > 0"};
constexpr Sql kGet{"get_lot", "SELECT hospital, qty, price FROM lots WHERE id = ?"};
constexpr Sql kSum{"sum_qty", "SELECT SUM(qty), COUNT(*) FROM lots"};
constexpr Sql kCount{"count_lots", "SELECT COUNT(*) FROM lots"};
constexpr Sql kSleep{"sleep", "SELECT pg_sleep(?)"};
constexpr Sql kQty{"lot_qty", "SELECT qty FROM lots WHERE hospital = ?"};
constexpr Sql kSetQty{"set_qty", "UPDATE lots SET qty = ? WHERE hospital = ?"};

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs `body(io)` as a coroutine on a fresh loop, with a ticker counting 10 ms ticks meanwhile:
// the loop's own work, which a blocking call would stop.
template <class F>
int RunOnLoopCountingTicks(F body) {
    asio::io_context io;
    int ticks = 0;
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            while (!done) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
                ++ticks;
            }
        },
        asio::detached);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await body(io);
            done = true;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();
    return ticks;
}

class PostgresTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                         ("reservo-pg-" + std::to_string(::getpid())));
        auto pg = LocalPostgres::Start(dir_->string());
        ASSERT_TRUE(pg) << pg.error().message;
        server_ = new LocalPostgres(std::move(*pg));
    }
    static void TearDownTestSuite() {
        if (server_) {
            EXPECT_TRUE(server_->Stop());
        }
        delete server_;
        server_ = nullptr;
        std::filesystem::remove_all(*dir_);
        delete dir_;
    }
    void SetUp() override {
        schema_ = std::string("t_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
        for (auto& c : schema_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        db_ = Open();
        ASSERT_TRUE(db_->Migrate(kMigrations));
    }
    std::unique_ptr<PostgresDatabase> Open(std::optional<std::string> schema = std::nullopt) {
        auto db = PostgresDatabase::Open({.url = server_->url(), .schema = schema.value_or(schema_)});
        EXPECT_TRUE(db) << db.error().message;
        return db ? std::move(*db) : nullptr;
    }

    static inline std::filesystem::path* dir_ = nullptr;
    static inline LocalPostgres* server_ = nullptr;
    std::string schema_;
    std::unique_ptr<PostgresDatabase> db_;
};

TEST_F(PostgresTest, RowsComeBackTyped) {
    auto id = db_->QueryOne(kInsert, {std::string("Busan"), int64_t{3}, 1.5});
    ASSERT_TRUE(id) << id.error().message;
    auto row = db_->QueryOne(kGet, {id->Int(0)});
    ASSERT_TRUE(row);
    EXPECT_EQ(std::get<std::string>((*row)[0]), "Busan");
    EXPECT_EQ(std::get<int64_t>((*row)[1]), 3);
    EXPECT_DOUBLE_EQ(std::get<double>((*row)[2]), 1.5);
    ASSERT_TRUE(db_->QueryOne(kInsert, {std::string("Seoul"), int64_t{4}, nullptr}));
    auto sum = db_->QueryOne(kSum);
    ASSERT_TRUE(sum);
    EXPECT_EQ(std::get<int64_t>((*sum)[0]), 7);  // SUM over BIGINT is NUMERIC in PostgreSQL
    EXPECT_EQ(std::get<int64_t>((*sum)[1]), 2);
    EXPECT_TRUE(db_->QueryOne(kGet, {int64_t{999}}).error().code == Code::kNotFound);
}

TEST_F(PostgresTest, ConstraintsMapToTheKitsCodes) {
    auto id = db_->QueryOne(kInsert, {std::string("Busan"), int64_t{1}, nullptr});
    ASSERT_TRUE(id);
    auto dup = db_->Execute(kInsert, {std::string("Busan"), int64_t{1}, nullptr});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Code::kAlreadyExists);
    EXPECT_NE(dup.error().message.find("insert_lot"), std::string::npos);
    constexpr Sql kNegative{"negative", "UPDATE lots SET qty = -1 WHERE id = ?"};
    auto neg = db_->Execute(kNegative, {id->Int(0)});
    ASSERT_FALSE(neg);
    EXPECT_EQ(neg.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(db_->Execute(kTake, {id->Int(0)}).value(), 1);
    EXPECT_EQ(db_->Execute(kTake, {id->Int(0)}).value(), 0);  // none left: nothing changed
}

TEST_F(PostgresTest, AFailedStatementLeavesTheTransactionUsableAsInSqlite) {
    ASSERT_TRUE(db_->QueryOne(kInsert, {std::string("Busan"), int64_t{1}, nullptr}));
    auto tx = db_->Begin();
    ASSERT_TRUE(tx);
    EXPECT_EQ(db_->Execute(kInsert, {std::string("Busan"), int64_t{1}, nullptr}).error().code, Code::kAlreadyExists);
    ASSERT_TRUE(db_->Execute(kInsert, {std::string("Jeju"), int64_t{2}, nullptr}));
    ASSERT_TRUE(tx->Commit());
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 2);
}

TEST_F(PostgresTest, RollbackKeepsNothing) {
    {
        auto tx = db_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db_->Execute(kInsert, {std::string("Busan"), int64_t{1}, nullptr}));
    }
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 0);
}

TEST_F(PostgresTest, WritersOfOneSchemaTakeTurnsAcrossConnectionsAndOthersDoNot) {
    auto replica = Open();
    auto other = Open(schema_ + "_other");
    ASSERT_TRUE(other->Migrate(kMigrations));
    auto tx = db_->TryBegin();
    ASSERT_TRUE(tx);
    auto busy = replica->TryBegin();
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, Code::kUnavailable);
    auto unrelated = other->TryBegin();  // another service's schema has its own lock
    ASSERT_TRUE(unrelated) << unrelated.error().message;
    ASSERT_TRUE(unrelated->Commit());
    ASSERT_TRUE(replica->QueryOne(kCount));  // reads never wait
    ASSERT_TRUE(tx->Commit());
    auto free = replica->TryBegin();
    ASSERT_TRUE(free) << free.error().message;
}

TEST_F(PostgresTest, EachServiceSeesOnlyItsOwnSchema) {
    ASSERT_TRUE(db_->QueryOne(kInsert, {std::string("Busan"), int64_t{1}, nullptr}));
    auto other = Open(schema_ + "_b");
    ASSERT_TRUE(other->Migrate(kMigrations));
    EXPECT_EQ(other->QueryOne(kCount)->Int(0), 0);
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 1);
}

struct Dose {
    int64_t id = 0;
    std::string hospital;
    int64_t qty = 0;
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Dose, (), (id, hospital, qty, note))

TEST_F(PostgresTest, DeclaredTablesGetTheirSchemaColumnsAndIndexes) {
    const Table<Dose> doses({.collection = "doses", .finders = {"hospital"}, .checks = {"qty >= 0"}});
    ASSERT_TRUE(doses.shape().Ensure(*db_));
    ASSERT_TRUE(doses.shape().Ensure(*db_));  // a second start changes nothing
    auto columns = db_->Columns("doses");
    ASSERT_TRUE(columns);
    EXPECT_EQ(*columns, (std::vector<std::string>{"id", "hospital", "qty", "note"}));
    auto indexes = db_->Indexes("doses");
    ASSERT_TRUE(indexes);
    EXPECT_EQ(*indexes, std::vector<std::string>{"doses_by_hospital"});  // not the primary key's
    auto tx = db_->Begin();
    auto saved = doses.Insert(*db_, Dose{.hospital = "Busan", .qty = 2});
    ASSERT_TRUE(saved) << saved.error().message;
    ASSERT_TRUE(tx->Commit());
    auto loaded = doses.Load(*db_, saved->id);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->hospital, "Busan");
    EXPECT_FALSE(loaded->note);
}

TEST_F(PostgresTest, AConnectionBrokenByAServerRestartIsReplacedAndAnOpenTransactionIsLost) {
    ASSERT_TRUE(db_->QueryOne(kInsert, {std::string("Busan"), int64_t{1}, nullptr}));
    auto tx = db_->Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->Execute(kInsert, {std::string("Jeju"), int64_t{1}, nullptr}));
    ASSERT_TRUE(server_->Stop());
    EXPECT_EQ(db_->QueryOne(kCount).error().code, Code::kUnavailable);
    auto commit = tx->Commit();
    ASSERT_FALSE(commit);
    EXPECT_EQ(commit.error().code, Code::kUnavailable);
    EXPECT_EQ(db_->QueryOne(kCount).error().code, Code::kUnavailable);  // still down
    auto pg = LocalPostgres::Start(server_->dir());
    ASSERT_TRUE(pg) << pg.error().message;
    auto count = db_->QueryOne(kCount);
    ASSERT_TRUE(count) << count.error().message;
    EXPECT_EQ(count->Int(0), 1);  // the transaction's insert was not kept
}

TEST_F(PostgresTest, OnAFiberTheLoopGoesOnWhileTheServerWorks) {
    auto db = db_.get();
    int ticks = RunOnLoopCountingTicks([db](asio::io_context& io) -> asio::awaitable<void> {
        auto slept = co_await fiber::Call(io, [db] { return db->Query(kSleep, {0.3}); });
        EXPECT_TRUE(slept) << slept.error().message;
    });
    EXPECT_GE(ticks, 10) << "the loop stood still while the statement ran";
    // Off a fiber the same call blocks its caller, as before (start-up, tools).
    ticks = RunOnLoopCountingTicks([db](asio::io_context&) -> asio::awaitable<void> {
        EXPECT_TRUE(db->Query(kSleep, {0.2}));
        co_return;
    });
    EXPECT_LE(ticks, 2);
}

TEST_F(PostgresTest, FibersWriteInTurnsWhileReadsGoOnAndThePoolStaysSmall) {
    ASSERT_TRUE(db_->QueryOne(kInsert, {std::string("Busan"), int64_t{10}, nullptr}));
    auto db = db_.get();
    std::vector<std::string> order;
    RunOnLoopCountingTicks([&](asio::io_context& io) -> asio::awaitable<void> {
        // Five read-check-write transactions, each pausing 50 ms between its read and its write:
        // if two interleaved, a decrement would be lost.
        int finished = 0;
        auto writer = [&, db](int n) -> asio::awaitable<void> {
            auto ok = co_await fiber::Call(io, [&, db, n]() -> bool {
                auto tx = db->Begin();  // on a fiber: waits its turn, without holding the loop
                if (!tx) return false;
                auto qty = db->QueryOne(kQty, {std::string("Busan")});
                if (!qty || !db->Query(kSleep, {0.05})) return false;
                if (!db->Execute(kSetQty, {qty->Int(0) - 1, std::string("Busan")})) return false;
                order.push_back(std::string("w").append(std::to_string(n)));
                return static_cast<bool>(tx->Commit());
            });
            EXPECT_TRUE(ok);
            ++finished;
        };
        for (int n = 0; n < 5; ++n) asio::co_spawn(io, writer(n), asio::detached);
        // A read meanwhile sees what was committed, and does not wait for the writers.
        auto read = co_await fiber::Call(io, [db] { return db->QueryOne(kQty, {std::string("Busan")}); });
        EXPECT_TRUE(read);
        order.push_back(std::string("read ").append(std::to_string(read ? read->Int(0) : -1)));
        asio::steady_timer t(io);
        while (finished < 5) {
            t.expires_after(10ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    });
    EXPECT_EQ(db_->QueryOne(kQty, {std::string("Busan")})->Int(0), 5) << "a decrement was lost";
    ASSERT_EQ(order.size(), 6u);
    EXPECT_EQ(order.front(), "read 10") << "the read waited for a writer";
    EXPECT_EQ(std::vector<std::string>(order.begin() + 1, order.end()),
              (std::vector<std::string>{"w0", "w1", "w2", "w3", "w4"}))
        << "writers took turns out of order";
    EXPECT_LE(db_->connections(), 1u + 4u);  // the loop's and the pool's
}

TEST_F(PostgresTest, AServerThatStopsAnsweringIsCutOffWithoutHoldingTheLoop) {
    auto opened = PostgresDatabase::Open({.url = server_->url(), .schema = schema_, .answer_wait_ms = 400});
    ASSERT_TRUE(opened) << opened.error().message;
    auto db = opened->get();
    ASSERT_TRUE(db->QueryOne(kInsert, {std::string("Busan"), int64_t{3}, nullptr}));
    const std::string pid = std::to_string(server_->Pid());
    ASSERT_NE(pid, "0");
    auto signal_server = [&](const char* sig) {
        // The postmaster and its backends (ours among them).
        std::string command = "pkill -";
        command.append(sig).append(" -P ").append(pid).append("; kill -").append(sig).append(" ").append(pid);
        ASSERT_EQ(std::system(command.c_str()), 0);
    };
    int ticks = 0;
    ticks = RunOnLoopCountingTicks([&](asio::io_context& io) -> asio::awaitable<void> {
        // A write transaction begun, then the server stops answering before it commits.
        auto outcome = co_await fiber::Call(io, [&]() -> Status {
            auto tx = db->TryBegin();
            if (!tx) return Fail(tx.error());
            if (auto r = db->Execute(kSetQty, {int64_t{2}, std::string("Busan")}); !r) return Fail(r.error());
            signal_server("STOP");
            if (auto r = db->Execute(kSetQty, {int64_t{1}, std::string("Busan")}); !r) return Fail(r.error());
            return tx->Commit();
        });
        EXPECT_FALSE(outcome);
        if (!outcome) {
            EXPECT_EQ(outcome.error().code, Code::kUnavailable) << outcome.error().message;
        }
        // New connections hang too: given up on, not waited for.
        auto read = co_await fiber::Call(io, [&] { return db->QueryOne(kCount); });
        EXPECT_FALSE(read);
        signal_server("CONT");
    });
    EXPECT_GE(ticks, 20) << "the loop stood still while the server was silent";
    // The server back: the transaction it had open was rolled back with the closed connection.
    RunOnLoopCountingTicks([&](asio::io_context& io) -> asio::awaitable<void> {
        auto qty = co_await fiber::Call(io, [&] { return db->QueryOne(kQty, {std::string("Busan")}); });
        EXPECT_TRUE(qty) << qty.error().message;
        if (qty) {
            EXPECT_EQ(qty->Int(0), 3);
        }
    });
}

TEST(PostgresUrl, PasswordsNeverReachALog) {
    EXPECT_EQ(PostgresDatabase::Redacted("postgresql://app:s3cret@db:5432/reservo"),
              "postgresql://app:***@db:5432/reservo");
    EXPECT_EQ(PostgresDatabase::Redacted("host=db user=app password=s3cret dbname=r"),
              "host=db user=app password=*** dbname=r");
    EXPECT_EQ(PostgresDatabase::Redacted("postgresql:///r?host=/run&password=x&user=u"),
              "postgresql:///r?host=/run&password=***&user=u");
}

}  // namespace
}  // namespace reservo::store
