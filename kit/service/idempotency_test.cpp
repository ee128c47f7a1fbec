#include "kit/service/idempotency.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "kit/http/problem.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::service {
namespace {

using namespace std::chrono_literals;

class IdempotencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-idem-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        db_ = store::SqliteDatabase::Open((dir_ / "s.db").string()).value();
        ASSERT_TRUE(db_->Migrate(IdempotencyKeys::Migrations()));
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    static http::Request Post(std::string body) {
        http::Request r;
        r.method = "POST";
        r.target = "/reservations";
        r.body = std::move(body);
        return r;
    }
    static http::Response Created(int64_t id) {
        http::Response r = http::JsonResponse(201, boost::json::object{{"id", id}});
        r.headers.Set("Location", "http://localhost:8080/reservations/" + std::to_string(id));
        r.headers.Set("X-Request-Id", "not-kept");
        return r;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
};

TEST_F(IdempotencyTest, ARetryGetsTheFirstAnswer) {
    IdempotencyKeys keys(*db_, 1h);
    auto fp = IdempotencyKeys::Fingerprint(Post(R"({"userId":1})"));
    auto first = keys.Begin("k-1", fp);
    ASSERT_TRUE(first);
    EXPECT_FALSE(*first) << "a new key lets the request run";
    ASSERT_TRUE(keys.Finish("k-1", Created(7)));

    auto again = keys.Begin("k-1", fp);
    ASSERT_TRUE(again && *again);
    const http::Response& replay = **again;
    EXPECT_EQ(replay.status, 201);
    EXPECT_EQ(replay.body, R"({"id":7})");
    EXPECT_EQ(replay.headers.Find("Location").value_or(""), "http://localhost:8080/reservations/7");
    EXPECT_EQ(replay.headers.Find("Content-Type").value_or(""), "application/json");
    EXPECT_EQ(replay.headers.Find("Idempotent-Replayed").value_or(""), "true");
    EXPECT_FALSE(replay.headers.Find("X-Request-Id"));
}

TEST_F(IdempotencyTest, AKeyInUseOrReusedForAnotherRequestIsRefused) {
    IdempotencyKeys keys(*db_, 1h);
    auto fp = IdempotencyKeys::Fingerprint(Post(R"({"userId":1})"));
    ASSERT_TRUE(keys.Begin("k-2", fp));
    auto concurrent = keys.Begin("k-2", fp);
    ASSERT_TRUE(concurrent && *concurrent);
    EXPECT_EQ((*concurrent)->status, 409);

    ASSERT_TRUE(keys.Finish("k-2", Created(8)));
    auto other = keys.Begin("k-2", IdempotencyKeys::Fingerprint(Post(R"({"userId":2})")));
    ASSERT_TRUE(other && *other);
    EXPECT_EQ((*other)->status, 422);
}

TEST_F(IdempotencyTest, AnAnswerThatDidNothingReleasesTheKey) {
    IdempotencyKeys keys(*db_, 1h);
    auto fp = IdempotencyKeys::Fingerprint(Post("{}"));
    ASSERT_TRUE(keys.Begin("k-3", fp));
    ASSERT_TRUE(keys.Finish("k-3", http::Unavailable("vaccine-mgmt is down", 1000)));
    auto retry = keys.Begin("k-3", fp);
    ASSERT_TRUE(retry);
    EXPECT_FALSE(*retry) << "a 503 did nothing, so the retry runs again";
}

TEST_F(IdempotencyTest, KeysExpireAfterTheRetention) {
    IdempotencyKeys keys(*db_, 0ms);
    auto fp = IdempotencyKeys::Fingerprint(Post("{}"));
    ASSERT_TRUE(keys.Begin("k-4", fp));
    ASSERT_TRUE(keys.Finish("k-4", Created(9)));
    usleep(5000);
    auto later = keys.Begin("k-4", fp);
    ASSERT_TRUE(later);
    EXPECT_FALSE(*later);
    usleep(5000);
    EXPECT_EQ(keys.Prune().value_or(-1), 1);
}

TEST_F(IdempotencyTest, KeysAreBoundedVisibleAscii) {
    EXPECT_TRUE(IdempotencyKeys::Validate("8e03978e-40d5-43e8-bc93-6894a57f9324"));
    EXPECT_FALSE(IdempotencyKeys::Validate(""));
    EXPECT_FALSE(IdempotencyKeys::Validate("has space"));
    EXPECT_FALSE(IdempotencyKeys::Validate(std::string(256, 'a')));
    EXPECT_FALSE(IdempotencyKeys::Validate("\xed\x95\x9c"));
}

TEST_F(IdempotencyTest, ABusyStoreFailsAtOnceWithUnavailable) {
    IdempotencyKeys keys(*db_, 1h);
    auto fp = IdempotencyKeys::Fingerprint(Post("{}"));
    ASSERT_TRUE(keys.Begin("k-5", fp));
    auto replica = store::SqliteDatabase::Open((dir_ / "s.db").string()).value();
    {
        auto held = replica->Begin().value();  // a replica of the service is committing
        auto start = std::chrono::steady_clock::now();
        auto begun = keys.Begin("k-6", fp);
        auto finished = keys.Finish("k-5", Created(10));
        auto pruned = keys.Prune();
        EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms) << "none of them waits for the lock";
        ASSERT_FALSE(begun);
        EXPECT_EQ(begun.error().code, Code::kUnavailable);
        ASSERT_FALSE(finished);
        EXPECT_EQ(finished.error().code, Code::kUnavailable);
        ASSERT_FALSE(pruned);
        EXPECT_EQ(pruned.error().code, Code::kUnavailable);
    }
    ASSERT_TRUE(keys.Finish("k-5", Created(10)));
    auto replay = keys.Begin("k-5", fp);
    ASSERT_TRUE(replay && *replay);
    EXPECT_EQ((*replay)->status, 201);
}

}  // namespace
}  // namespace reservo::service
