#include "systems/vaccine/vaccine-mgmt/application.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "kit/store/sqlite.hpp"

namespace reservo::vaccine::mgmt {
namespace {

// A ledger over a real SQLite file, the same as the service's.
const store::Table<VaccineLot> kLots({.collection = "vaccineMgmts", .checks = {"qty >= 0"}});

class MemoryLedger final : public DoseLedger {
  public:
    Result<std::optional<VaccineLot>> FirstLot(store::Database& db, const DoseRequest& r) override {
        auto all = kLots.Where(db, "hospital", r.hospital);
        if (!all) return Fail(all.error());
        std::optional<VaccineLot> empty;
        for (auto& lot : *all) {
            if (lot.availableDate.iso != r.availableDate || lot.vaccineType != r.vaccineType) continue;
            if (lot.qty > 0) return lot;
            if (!empty) empty = lot;
        }
        return empty;
    }
    Result<std::optional<DoseTaking>> TakingOf(store::Database&, const std::string& id) override {
        auto it = takings_.find(id);
        if (it == takings_.end()) return std::optional<DoseTaking>();
        return it->second;
    }
    Status Record(store::Database&, const DoseTaking& t) override {
        takings_[t.reservationId] = t;
        return Ok();
    }
    Result<int64_t> HeldFrom(store::Database&, int64_t lot) override {
        int64_t n = 0;
        for (const auto& [_, t] : takings_) n += t.vaccineId == lot && t.state == DoseState::kTaken;
        return n;
    }

  private:
    std::map<std::string, DoseTaking> takings_;
};

class VaccineLotsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-lots-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        db_ = store::SqliteDatabase::Open((dir_ / "m.db").string()).value();
        ASSERT_TRUE(kLots.shape().Ensure(*db_));
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    service::Tx Tx() { return service::Tx(*db_, outbox_, "/vaccine/vaccine-mgmt"); }
    int64_t Register(std::string hospital, int64_t qty) {
        return kLots.Insert(*db_, {0, "Pfizer", std::move(hospital), {"2021-09-01"}, qty, "registered"}).value().id;
    }
    Result<VaccineLot> Take(const DoseRequest& r) {
        auto tx = Tx();
        return lots_.TakeDose(tx, r);
    }
    Status Release(const std::string& reservation) {
        auto tx = Tx();
        return lots_.ReleaseDose(tx, reservation);
    }
    Status Remove(int64_t id) {
        auto tx = Tx();
        auto lot = kLots.Load(*db_, id);
        if (!lot) return Fail(lot.error());
        if (auto st = lots_.CheckRemoval(tx, *lot); !st) return st;
        return kLots.Delete(*db_, id);
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
    service::Tx::Outbox outbox_ = [](const messaging::CloudEvent&) { return Ok(); };
    MemoryLedger ledger_;
    VaccineLots lots_{kLots, ledger_};
};

TEST_F(VaccineLotsTest, RepeatTakeAnswersTheSameLotOnlyWhenAskedForIt) {
    int64_t seoul = Register("Seoul", 5);
    int64_t busan = Register("Busan", 5);
    ASSERT_EQ(Take({.vaccineId = seoul, .reservationId = "r1"}).value().qty, 4);

    auto same = Take({.vaccineId = seoul, .reservationId = "r1"});
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->id, seoul);
    EXPECT_EQ(same->qty, 4);  // idempotent: no second dose

    auto other = Take({.vaccineId = busan, .reservationId = "r1"});
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(other.error().message, "reservation r1 already took a dose from lot " + std::to_string(seoul));

    DoseRequest by_place{.hospital = "Seoul", .availableDate = "2021-09-01", .vaccineType = "Pfizer"};
    by_place.reservationId = "r1";
    EXPECT_EQ(Take(by_place).value().id, seoul);
    by_place.hospital = "Busan";
    EXPECT_EQ(Take(by_place).error().code, Code::kFailedPrecondition);
    by_place.hospital = "Seoul";
    by_place.vaccineType = "Moderna";
    EXPECT_EQ(Take(by_place).error().code, Code::kFailedPrecondition);

    auto busan_lot = Take({.vaccineId = busan, .reservationId = "r2"});
    EXPECT_EQ(busan_lot.value().qty, 4);  // a refused repeat took nothing from Busan
}

TEST_F(VaccineLotsTest, LotsWithDosesOfActiveReservationsAreNotRemoved) {
    int64_t lot = Register("Seoul", 5);
    ASSERT_TRUE(Take({.vaccineId = lot, .reservationId = "r1"}));
    ASSERT_TRUE(Take({.vaccineId = lot, .reservationId = "r2"}));

    auto held = Remove(lot);
    ASSERT_FALSE(held);
    EXPECT_EQ(held.error().code, Code::kFailedPrecondition);
    EXPECT_EQ(held.error().message, "lot " + std::to_string(lot) + " has doses taken by active reservations");

    ASSERT_TRUE(Release("r1"));
    EXPECT_FALSE(Remove(lot));  // r2 still holds one
    ASSERT_TRUE(Release("r2"));
    EXPECT_TRUE(Remove(lot));
    EXPECT_EQ(Remove(lot).error().code, Code::kNotFound);

    // The takings stay as history: a late cancel of r1 is still a no-op, not a dose for another lot.
    ASSERT_TRUE(Release("r1"));
    EXPECT_EQ(Take({.vaccineId = lot, .reservationId = "r1"}).error().code, Code::kFailedPrecondition);
}

TEST_F(VaccineLotsTest, LotsWithoutTakenDosesAreRemoved) {
    int64_t lot = Register("Seoul", 5);
    EXPECT_TRUE(Remove(lot));
}

}  // namespace
}  // namespace reservo::vaccine::mgmt
