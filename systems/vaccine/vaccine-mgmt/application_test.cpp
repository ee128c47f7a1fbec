#include "systems/vaccine/vaccine-mgmt/application.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kit/store/sqlite.hpp"
#include "systems/vaccine/vaccine-mgmt/module.hpp"

namespace reservo::vaccine::mgmt {
namespace {

class VaccineLotsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-lots-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        db_ = store::SqliteDatabase::Open((dir_ / "m.db").string()).value();
        ASSERT_TRUE(db_->Migrate(VaccineMgmtModule().migrations));  // the service's own schema
        lots_.emplace(
            *db_, [](const messaging::CloudEvent&) { return Ok(); }, "/vaccine/vaccine-mgmt");
    }
    void TearDown() override {
        lots_.reset();
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    int64_t Register(std::string hospital, int64_t qty) {
        return lots_->RegisterVaccine({0, "Pfizer", std::move(hospital), "2021-09-01", qty, ""}).value().id;
    }
    Status Release(const std::string& reservation) { return lots_->ReleaseDose(*db_, reservation); }

    std::filesystem::path dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
    std::optional<VaccineLots> lots_;
};

TEST_F(VaccineLotsTest, RepeatTakeAnswersTheSameLotOnlyWhenAskedForIt) {
    int64_t seoul = Register("Seoul", 5);
    int64_t busan = Register("Busan", 5);
    ASSERT_EQ(lots_->TakeDose({.vaccineId = seoul, .reservationId = "r1"}).value().qty, 4);

    auto same = lots_->TakeDose({.vaccineId = seoul, .reservationId = "r1"});
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->id, seoul);
    EXPECT_EQ(same->qty, 4);  // idempotent: no second dose

    auto other = lots_->TakeDose({.vaccineId = busan, .reservationId = "r1"});
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(other.error().message, "reservation r1 already took a dose from lot " + std::to_string(seoul));

    DoseRequest by_place{.hospital = "Seoul", .availableDate = "2021-09-01", .vaccineType = "Pfizer"};
    by_place.reservationId = "r1";
    EXPECT_EQ(lots_->TakeDose(by_place).value().id, seoul);
    by_place.hospital = "Busan";
    EXPECT_EQ(lots_->TakeDose(by_place).error().code, Code::kFailedPrecondition);
    by_place.hospital = "Seoul";
    by_place.vaccineType = "Moderna";
    EXPECT_EQ(lots_->TakeDose(by_place).error().code, Code::kFailedPrecondition);

    auto busan_lot = lots_->TakeDose({.vaccineId = busan, .reservationId = "r2"});
    EXPECT_EQ(busan_lot.value().qty, 4);  // a refused repeat took nothing from Busan
}

TEST_F(VaccineLotsTest, LotsWithDosesOfActiveReservationsAreNotRemoved) {
    int64_t lot = Register("Seoul", 5);
    ASSERT_TRUE(lots_->TakeDose({.vaccineId = lot, .reservationId = "r1"}));
    ASSERT_TRUE(lots_->TakeDose({.vaccineId = lot, .reservationId = "r2"}));

    auto held = lots_->Remove(lot);
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(held.error().message, "lot " + std::to_string(lot) + " has doses taken by active reservations");

    ASSERT_TRUE(Release("r1"));
    EXPECT_FALSE(lots_->Remove(lot));  // r2 still holds one
    ASSERT_TRUE(Release("r2"));
    EXPECT_TRUE(lots_->Remove(lot));
    EXPECT_EQ(lots_->Remove(lot).error().code, Code::kNotFound);

    // The takings stay as history: a late cancel of r1 is still a no-op, not a dose for another lot.
    ASSERT_TRUE(Release("r1"));
    EXPECT_EQ(lots_->TakeDose({.vaccineId = lot, .reservationId = "r1"}).error().code, Code::kFailedPrecondition);
}

TEST_F(VaccineLotsTest, LotsWithoutTakenDosesAreRemoved) {
    int64_t lot = Register("Seoul", 5);
    EXPECT_TRUE(lots_->Remove(lot));
}

}  // namespace
}  // namespace reservo::vaccine::mgmt
