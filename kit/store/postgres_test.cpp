// The PostgreSQL adapter against a real server: Debian's PostgreSQL started in a temporary
// directory for this test binary (LocalPostgres), stopped and started again to break connections.
#include "kit/store/postgres.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

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
