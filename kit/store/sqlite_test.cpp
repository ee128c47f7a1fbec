#include "kit/store/sqlite.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace reservo::store {
namespace {

constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE lots (id INTEGER PRIMARY KEY AUTOINCREMENT, hospital TEXT NOT NULL, qty INTEGER NOT NULL "
     "CHECK (qty >= 0))"},
};
constexpr Sql kInsert{"insert_lot", "INSERT INTO lots (hospital, qty) VALUES (?, ?) RETURNING id"};
constexpr Sql kTake{"take_dose", "UPDATE lots SET qty = qty - 1 WHERE id = ? AND qty > 0"};
constexpr Sql kGet{"get_lot", "SELECT hospital, qty FROM lots WHERE id = ?"};

class SqliteTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-store-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "t.db").string();
        db_ = SqliteDatabase::Open(path_).value();
        ASSERT_TRUE(db_->Migrate(kMigrations));
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }
    std::filesystem::path dir_;
    std::string path_;
    std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteTest, InsertReturningAndConditionalUpdate) {
    auto row = db_->QueryOne(kInsert, {"Seoul", int64_t{1}}).value();
    int64_t id = row.Int(0);
    EXPECT_EQ(db_->Execute(kTake, {id}).value(), 1);
    EXPECT_EQ(db_->Execute(kTake, {id}).value(), 0);  // no dose left: nothing changes
    EXPECT_EQ(db_->QueryOne(kGet, {id})->Int(1), 0);
}

TEST_F(SqliteTest, UncommittedTransactionRollsBack) {
    {
        auto tx = db_->Begin().value();
        ASSERT_TRUE(db_->Execute(kInsert, {"Busan", int64_t{5}}));
    }
    static constexpr Sql kCount{"count_lots", "SELECT COUNT(*) FROM lots"};
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 0);
    {
        auto tx = db_->Begin().value();
        ASSERT_TRUE(db_->Execute(kInsert, {"Busan", int64_t{5}}));
        ASSERT_TRUE(tx.Commit());
    }
    EXPECT_EQ(db_->QueryOne(kCount)->Int(0), 1);
}

TEST_F(SqliteTest, ConstraintViolationIsAnErrorValue) {
    static constexpr Sql kNegative{"negative", "INSERT INTO lots (hospital, qty) VALUES ('x', -1)"};
    auto r = db_->Execute(kNegative);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Code::kFailedPrecondition);
}

TEST_F(SqliteTest, MigrationsAreAppliedOnce) {
    EXPECT_TRUE(db_->Migrate(kMigrations));
    auto other = SqliteDatabase::Open(path_).value();
    EXPECT_TRUE(other->Migrate(kMigrations));
}

TEST_F(SqliteTest, DataVersionMovesWhenAnotherConnectionCommits) {
    auto other = SqliteDatabase::Open(path_).value();
    int64_t before = db_->DataVersion();
    ASSERT_TRUE(other->Execute(kInsert, {"Incheon", int64_t{3}}));
    EXPECT_NE(db_->DataVersion(), before);
}

TEST_F(SqliteTest, TryBeginDoesNotWaitForAnotherConnectionsWriteLock) {
    auto other = SqliteDatabase::Open(path_, 5000).value();
    auto held = db_->Begin();
    ASSERT_TRUE(held);
    auto start = std::chrono::steady_clock::now();
    auto tried = other->TryBegin();
    ASSERT_FALSE(tried);
    EXPECT_EQ(tried.error().code, Code::kUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
    ASSERT_TRUE(held->Commit());
    auto now_free = other->TryBegin();
    ASSERT_TRUE(now_free);
    ASSERT_TRUE(now_free->Commit());
}

TEST_F(SqliteTest, BeginWithinWaitsNoLongerThanAskedAndKeepsTheBusyTimeout) {
    auto other = SqliteDatabase::Open(path_, 5000).value();
    auto held = db_->Begin();
    ASSERT_TRUE(held);
    auto start = std::chrono::steady_clock::now();
    auto tried = other->BeginWithin(100);
    auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(tried);
    EXPECT_EQ(tried.error().code, Code::kUnavailable);
    EXPECT_GE(waited, std::chrono::milliseconds(90));
    EXPECT_LT(waited, std::chrono::milliseconds(2000));
    ASSERT_TRUE(held->Commit());
    // Its usual wait is back: a Begin() now waits for a lock released while it waits.
    auto again = db_->Begin();
    ASSERT_TRUE(again);
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        (void)again->Commit();
    });
    auto waiting = other->Begin();
    release.join();
    ASSERT_TRUE(waiting);
    ASSERT_TRUE(waiting->Commit());
}

}  // namespace
}  // namespace reservo::store
