#include "kit/store/table.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kit/core/try.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::store {
namespace {

struct Lot {
    int64_t id = 0;
    std::string vaccineType;
    json::Date availableDate;
    int64_t qty = 0;
    bool open = true;
    std::optional<double> price;
};
BOOST_DESCRIBE_STRUCT(Lot, (), (id, vaccineType, availableDate, qty, open, price))

// The same table a release later: one member more.
struct LotV2 {
    int64_t id = 0;
    std::string vaccineType;
    json::Date availableDate;
    int64_t qty = 0;
    bool open = true;
    std::optional<double> price;
    std::string hospital;
};
BOOST_DESCRIBE_STRUCT(LotV2, (), (id, vaccineType, availableDate, qty, open, price, hospital))

const EntityOptions kOptions{.collection = "vaccineLots", .finders = {"vaccineType"}, .checks = {"qty >= 0"}};

class TableTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-table-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        db_ = SqliteDatabase::Open((dir_ / "t.db").string()).value();
        ASSERT_TRUE(lots_.shape().Ensure(*db_));
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }
    std::filesystem::path dir_;
    std::unique_ptr<SqliteDatabase> db_;
    Table<Lot> lots_{kOptions};
};

TEST(SnakeCaseTest, SplitsCamelCase) {
    EXPECT_EQ(SnakeCase("availableDate"), "available_date");
    EXPECT_EQ(SnakeCase("vaccineMgmts"), "vaccine_mgmts");
    EXPECT_EQ(SnakeCase("id"), "id");
}

TEST_F(TableTest, ColumnsAndTableFollowTheStruct) {
    EXPECT_EQ(lots_.shape().table(), "vaccine_lots");
    ASSERT_EQ(lots_.shape().columns().size(), 6u);
    EXPECT_EQ(lots_.shape().columns()[2].column, "available_date");
    EXPECT_EQ(lots_.shape().columns()[4].type, ColumnType::kBool);
    EXPECT_TRUE(lots_.shape().columns()[5].nullable);
}

TEST_F(TableTest, InsertLoadUpdateDeleteRoundTrip) {
    auto lot = lots_.Insert(*db_, Lot{.vaccineType = "Pfizer", .availableDate = {"2021-09-10"}, .qty = 3});
    ASSERT_TRUE(lot) << lot.error().message;
    EXPECT_GT(lot->id, 0);
    auto loaded = lots_.Load(*db_, lot->id).value();
    EXPECT_EQ(loaded.vaccineType, "Pfizer");
    EXPECT_EQ(loaded.availableDate.iso, "2021-09-10");
    EXPECT_TRUE(loaded.open);
    EXPECT_FALSE(loaded.price);

    loaded.qty = 2;
    loaded.open = false;
    loaded.price = 12.5;
    ASSERT_TRUE(lots_.Update(*db_, loaded));
    auto again = lots_.Load(*db_, lot->id).value();
    EXPECT_EQ(again.qty, 2);
    EXPECT_FALSE(again.open);
    EXPECT_EQ(again.price, 12.5);

    auto found = lots_.Where(*db_, "vaccineType", std::string("Pfizer")).value();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].id, lot->id);

    ASSERT_TRUE(lots_.Delete(*db_, lot->id));
    auto gone = lots_.Load(*db_, lot->id);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, Code::kNotFound);
    EXPECT_EQ(gone.error().message, "vaccineLots/" + std::to_string(lot->id) + " does not exist");
}

TEST_F(TableTest, ChecksHoldAndMissingRowsAreNotFound) {
    auto bad = lots_.Insert(*db_, Lot{.vaccineType = "Pfizer", .availableDate = {"2021-09-10"}, .qty = -1});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Code::kFailedPrecondition);
    auto update = lots_.Update(*db_, Lot{.id = 99, .vaccineType = "x"});
    ASSERT_FALSE(update);
    EXPECT_EQ(update.error().code, Code::kNotFound);
}

TEST_F(TableTest, AMemberAddedLaterBecomesAColumnAndOldRowsKeepTheirValues) {
    auto old = lots_.Insert(*db_, Lot{.vaccineType = "Moderna", .availableDate = {"2021-10-01"}, .qty = 5}).value();
    Table<LotV2> v2(kOptions);
    ASSERT_TRUE(v2.shape().Ensure(*db_));
    auto read = v2.Load(*db_, old.id).value();
    EXPECT_EQ(read.qty, 5);
    EXPECT_EQ(read.hospital, "");
    read.hospital = "Seoul";
    ASSERT_TRUE(v2.Update(*db_, read));
    EXPECT_EQ(v2.Load(*db_, old.id)->hospital, "Seoul");
    ASSERT_TRUE(v2.shape().Ensure(*db_));  // again: nothing to do
}

TEST_F(TableTest, AssignedIdsAreKept) {
    Table<Lot> assigned({.collection = "held", .assigned_ids = true});
    ASSERT_TRUE(assigned.shape().Ensure(*db_));
    auto lot = assigned.Insert(*db_, Lot{.id = 42, .vaccineType = "x", .availableDate = {"2021-01-01"}}).value();
    EXPECT_EQ(lot.id, 42);
    EXPECT_EQ(assigned.Load(*db_, 42)->vaccineType, "x");
}

Result<int64_t> DoubleQty(const Table<Lot>& lots, Database& db, int64_t id) {
    Lot lot = RESERVO_TRY(lots.Load(db, id));
    lot.qty *= 2;
    RESERVO_TRY(lots.Update(db, lot));
    return lot.qty;
}

TEST_F(TableTest, TryReturnsTheFirstFailureAndOtherwiseTheValue) {
    auto lot = lots_.Insert(*db_, Lot{.vaccineType = "Pfizer", .availableDate = {"2021-09-10"}, .qty = 4}).value();
    EXPECT_EQ(DoubleQty(lots_, *db_, lot.id).value(), 8);
    auto missing = DoubleQty(lots_, *db_, 12345);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Code::kNotFound);
}

}  // namespace
}  // namespace reservo::store
