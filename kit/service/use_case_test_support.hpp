// Use-case tests of any bounded context: a real SQLite store in a temporary directory, and a Tx
// over it whose outbox is a list the test reads.
//
//   class PaymentsTest : public service::UseCaseTest {};
//   TEST_F(PaymentsTest, Pays) {
//       auto tx = Tx();
//       ...
//       EXPECT_EQ(Published<PayCompleted>().size(), 1u);
//   }
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kit/messaging/typed_event.hpp"
#include "kit/service/unit_of_work.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::service {

class UseCaseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("reservo-use-case-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::create_directories(dir_);
        db_ = store::SqliteDatabase::Open((dir_ / "s.db").string()).value();
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    store::Database& db() { return *db_; }
    // A handle on the store with this test's outbox (no transaction: each statement commits).
    service::Tx Tx() { return service::Tx(*db_, outbox_, "/test/use-case"); }

    // The events of type E published so far, decoded.
    template <messaging::DeclaredEvent E>
    std::vector<E> Published() const {
        std::vector<E> out;
        for (const auto& e : events_) {
            if (e.type == messaging::TypeOf<E>()) out.push_back(messaging::Decode<E>(e).value());
        }
        return out;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
    std::vector<messaging::CloudEvent> events_;
    service::Tx::Outbox outbox_ = [this](const messaging::CloudEvent& e) {
        events_.push_back(e);
        return Ok();
    };
};

}  // namespace reservo::service
