#include "kit/service/resource.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "kit/store/sqlite.hpp"

namespace reservo::service {
namespace {

const store::TableShape kLots({.collection = "vaccineMgmts", .table = "lots", .finders = {"hospital"}},
                              {{"id", "id", store::ColumnType::kInt},
                               {"hospital", "hospital"},
                               {"qty", "qty", store::ColumnType::kInt}});

class ResourceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-resource-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        db_ = store::SqliteDatabase::Open((dir_ / "r.db").string()).value();
        static constexpr store::Migration kSchema[] = {
            {1, "CREATE TABLE lots (id INTEGER PRIMARY KEY, hospital TEXT NOT NULL, qty INTEGER NOT NULL)"}};
        ASSERT_TRUE(db_->Migrate(kSchema));
        static constexpr store::Sql kInsert{"insert", "INSERT INTO lots (hospital, qty) VALUES (?, ?)"};
        for (int i = 1; i <= 5; ++i) ASSERT_TRUE(db_->Execute(kInsert, {i % 2 ? "Seoul" : "Busan", int64_t{i * 10}}));
    }
    void TearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    http::Request Get(std::string target, std::map<std::string, std::string, std::less<>> params = {}) {
        http::Request r;
        r.method = "GET";
        r.target = target;
        auto split = http::SplitTarget(target).value();
        r.path = split.first;
        r.query = split.second;
        r.params = std::move(params);
        r.headers.Set("Host", "gw:8080");
        return r;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::SqliteDatabase> db_;
};

TEST_F(ResourceTest, ListsPagesSortedInTheSpringDataRestShape) {
    auto res = ListResource(Get("/vaccineMgmts?page=1&size=2&sort=qty,desc"), *db_, kLots);
    ASSERT_EQ(res.status, 200);
    auto body = boost::json::parse(res.body).as_object();
    auto& items = body.at("_embedded").at("vaccineMgmts").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("qty").as_int64(), 30);
    EXPECT_EQ(items[1].at("qty").as_int64(), 20);
    EXPECT_EQ(items[0].at("_links").at("self").at("href").as_string(), "http://gw:8080/vaccineMgmts/3");
    EXPECT_EQ(body.at("page").at("totalElements").as_int64(), 5);
    EXPECT_EQ(body.at("page").at("totalPages").as_int64(), 3);
    EXPECT_EQ(body.at("page").at("number").as_int64(), 1);
}

TEST_F(ResourceTest, RejectsSortingByUndeclaredColumns) {
    for (const char* bad : {"/vaccineMgmts?sort=password", "/vaccineMgmts?sort=qty%3BDROP%20TABLE%20lots",
                            "/vaccineMgmts?sort=qty,sideways", "/vaccineMgmts?size=0"}) {
        auto res = ListResource(Get(bad), *db_, kLots);
        EXPECT_EQ(res.status, 400) << bad;
    }
    EXPECT_EQ(ListResource(Get("/vaccineMgmts"), *db_, kLots).status, 200);  // the table is still there
}

TEST_F(ResourceTest, ShowsOneOr404) {
    EXPECT_EQ(ShowResource(Get("/vaccineMgmts/2", {{"id", "2"}}), *db_, kLots).status, 200);
    EXPECT_EQ(ShowResource(Get("/vaccineMgmts/99", {{"id", "99"}}), *db_, kLots).status, 404);
    EXPECT_EQ(ShowResource(Get("/vaccineMgmts/x", {{"id", "x"}}), *db_, kLots).status, 404);
}

TEST_F(ResourceTest, FindersMatchExactlyAndValidateNumbers) {
    auto res = FindResource(Get("/vaccineMgmts/search/findByHospital?hospital=Seoul"), *db_, kLots, "hospital");
    ASSERT_EQ(res.status, 200);
    auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("_embedded").at("vaccineMgmts").as_array().size(), 3u);
    EXPECT_EQ(FindResource(Get("/vaccineMgmts/search/findByQty?qty=ten"), *db_, kLots, "qty").status, 400);
    EXPECT_EQ(FindResource(Get("/vaccineMgmts/search/findByQty?qty=20"), *db_, kLots, "qty").status, 200);
    EXPECT_EQ(FindResource(Get("/vaccineMgmts/search/findByHospital"), *db_, kLots, "hospital").status, 400);
}

TEST_F(ResourceTest, FindersPageLikeTheList) {
    static constexpr store::Sql kInsert{"insert", "INSERT INTO lots (hospital, qty) VALUES (?, ?)"};
    for (int i = 0; i < 2100; ++i) ASSERT_TRUE(db_->Execute(kInsert, {"Daegu", int64_t{i}}));

    auto first = FindResource(Get("/vaccineMgmts/search/findByHospital?hospital=Daegu"), *db_, kLots, "hospital");
    ASSERT_EQ(first.status, 200);
    auto body = boost::json::parse(first.body).as_object();
    EXPECT_EQ(body.at("_embedded").at("vaccineMgmts").as_array().size(), 20u);  // the list's default size
    EXPECT_EQ(body.at("page").at("size").as_int64(), 20);
    EXPECT_EQ(body.at("page").at("totalElements").as_int64(), 2100);  // not cut at 2,000
    EXPECT_EQ(body.at("page").at("totalPages").as_int64(), 105);
    EXPECT_EQ(body.at("page").at("number").as_int64(), 0);
    EXPECT_EQ(body.at("_links").at("self").at("href").as_string(),
              "http://gw:8080/vaccineMgmts/search/findByHospital?hospital=Daegu");

    auto last = FindResource(Get("/vaccineMgmts/search/findByHospital?hospital=Daegu&page=1&size=2000"), *db_, kLots,
                             "hospital");
    ASSERT_EQ(last.status, 200);
    auto tail = boost::json::parse(last.body).as_object();
    auto& rows = tail.at("_embedded").at("vaccineMgmts").as_array();
    ASSERT_EQ(rows.size(), 100u);
    EXPECT_EQ(rows[0].at("qty").as_int64(), 2000);  // by id: the 2,001st row inserted
    EXPECT_EQ(tail.at("page").at("totalPages").as_int64(), 2);

    auto sorted = FindResource(Get("/vaccineMgmts/search/findByHospital?hospital=Seoul&sort=qty,desc&size=2"), *db_,
                               kLots, "hospital");
    ASSERT_EQ(sorted.status, 200);
    auto top = boost::json::parse(sorted.body).as_object();
    EXPECT_EQ(top.at("_embedded").at("vaccineMgmts").at(0).at("qty").as_int64(), 50);
    EXPECT_EQ(top.at("_embedded").at("vaccineMgmts").at(1).at("qty").as_int64(), 30);
    EXPECT_EQ(top.at("page").at("totalElements").as_int64(), 3);

    for (const char* bad : {"?hospital=Seoul&sort=password", "?hospital=Seoul&sort=qty,sideways",
                            "?hospital=Seoul&size=0", "?hospital=Seoul&size=2001", "?hospital=Seoul&page=-1"}) {
        auto res = FindResource(Get(std::string("/vaccineMgmts/search/findByHospital") + bad), *db_, kLots, "hospital");
        EXPECT_EQ(res.status, 400) << bad;
    }
}

}  // namespace
}  // namespace reservo::service
