// An entity's REST writes from its declaration (ExposeWrites), served by a real host: create with
// the fields the service owns, merge PATCH, PUT, a guarded DELETE, and the events each change causes.
#include "kit/service/rest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "kit/service/host_test_support.hpp"

namespace reservo::service {
namespace {

using namespace std::chrono_literals;
namespace bj = boost::json;

struct Lot {
    int64_t id = 0;
    std::string hospital;
    json::Date availableDate;
    int64_t qty = 0;
    std::string status;  // the service's: "registered"
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Lot, (), (id, hospital, availableDate, qty, status, note))

struct LotRegistered {
    int64_t id = 0;
    int64_t qty = 0;
};
RESERVO_EVENT(LotRegistered, id, (id, qty))

struct LotChanged {
    int64_t id = 0;
    int64_t before = 0;
    int64_t after = 0;
};
RESERVO_EVENT(LotChanged, id, (id, before, after))

const store::Table<Lot> kLots({.collection = "lots", .finders = {"hospital"}, .checks = {"qty >= 0"}});

struct Events {
    int64_t id = 0;
    std::string type;
    std::string subject;
};
BOOST_DESCRIBE_STRUCT(Events, (), (id, type, subject))
const store::Table<Events> kSeen({.collection = "seen"});

struct LotService {
    explicit LotService(ServiceContext& ctx) : uow(ctx) {}
    Status Wire(ServiceContext& ctx) {
        RESERVO_TRY(kLots.shape().Ensure(ctx.db()));
        RESERVO_TRY(kSeen.shape().Ensure(ctx.db()));
        ExposeReads(ctx.router(), ctx.db(), kLots.shape());
        ExposeReads(ctx.router(), ctx.db(), kSeen.shape());
        ExposeWrites<Lot>(ctx.router(), uow, kLots,
                          {.read_only = {"status"},
                           .prepare =
                               [](Lot& lot) {
                                   lot.status = "registered";
                                   return Ok();
                               },
                           .validate = [](const Lot& lot) -> Status {
                               if (lot.hospital.empty())
                                   return Fail(Code::kInvalidArgument, "hospital: must not be blank");
                               return Ok();
                           },
                           .created =
                               [](const Lot& lot, Tx& tx) {
                                   return tx.Publish(LotRegistered{lot.id, lot.qty});
                               },
                           .changed =
                               [](const Lot& before, const Lot& after, Tx& tx) {
                                   return tx.Publish(LotChanged{after.id, before.qty, after.qty});
                               },
                           .removing = [](const Lot& lot, Tx&) -> Status {
                               if (lot.qty > 0) return Fail(Code::kFailedPrecondition, "the lot still has doses");
                               return Ok();
                           }});
        auto record = [](const auto&, Tx& tx) -> Status {
            const messaging::CloudEvent& e = *tx.cause();
            RESERVO_TRY(kSeen.Insert(tx.db(), {.type = e.type, .subject = e.subject}));
            return Ok();
        };
        On<LotRegistered>(uow, record);
        On<LotChanged>(uow, record);
        return Ok();
    }
    UnitOfWork uow;
};

class RestWritesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-rest-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        auto [fd, port] = ListenOnLoopback();
        ASSERT_GE(fd, 0);
        port_ = port;
        ServiceModule module{.system = "t", .name = "lots", .wire = WireParts<LotService>()};
        RunOptions opts{.listen_fd = fd, .data_dir = dir_.string()};
        host_ = std::thread([cfg = HostTestConfig(), module, opts] { RunService(cfg, module, opts); });
        for (int i = 0; i < 1000; ++i) {
            try {
                if (Call(port_, "GET", "/actuator/health/readiness").status == 200) return;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(10ms);
        }
        FAIL() << "not ready";
    }
    void TearDown() override {
        if (host_.joinable()) {
            ::kill(::getpid(), SIGTERM);
            host_.join();
        }
        std::filesystem::remove_all(dir_);
    }
    bj::object Json(const Reply& r) { return bj::parse(r.body).as_object(); }
    // The events the service saw, as "Type:subject" in order.
    std::vector<std::string> Seen(size_t at_least) {
        std::vector<std::string> out;
        for (int i = 0; i < 500; ++i) {
            out.clear();
            auto body = Json(Call(port_, "GET", "/seen?size=100"));
            for (const auto& e : body["_embedded"].as_object()["seen"].as_array()) {
                out.push_back(std::string(e.at("type").as_string()) + ":" + std::string(e.at("subject").as_string()));
            }
            if (out.size() >= at_least) break;
            std::this_thread::sleep_for(10ms);
        }
        return out;
    }

    std::filesystem::path dir_;
    int port_ = 0;
    std::thread host_;
};

TEST_F(RestWritesTest, CreateSetsTheServicesFieldsAndPublishes) {
    auto created =
        Call(port_, "POST", "/lots",
             R"({"hospital":"Seoul","availableDate":"2021-09-10T10:00:00Z","qty":"3","status":"hacked","id":99})");
    ASSERT_EQ(created.status, 201) << created.body;
    auto lot = Json(created);
    EXPECT_EQ(lot["id"].as_int64(), 1);                  // the table's id, not the client's
    EXPECT_EQ(lot["status"].as_string(), "registered");  // the service's field, not the client's
    EXPECT_EQ(lot["availableDate"].as_string(), "2021-09-10");
    EXPECT_EQ(lot["qty"].as_int64(), 3);  // a number as a string, like Jackson
    EXPECT_TRUE(lot["note"].is_null());
    EXPECT_EQ(Seen(1), std::vector<std::string>{"LotRegistered:1"});

    EXPECT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"Seoul","qty":1})").status, 400);  // date required
    EXPECT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"","availableDate":"2021-09-10","qty":1})").status, 400);
    EXPECT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"x","availableDate":"2021-09-10","qty":-1})").status, 409);
    EXPECT_EQ(Call(port_, "POST", "/lots", R"([1])").status, 400);
    EXPECT_EQ(Json(Call(port_, "GET", "/lots"))["page"].as_object()["totalElements"].as_int64(), 1);
}

TEST_F(RestWritesTest, TheServiceIndexesItsCollectionsProfilesAndPages) {
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"Seoul","availableDate":"2021-09-10","qty":3})").status,
                  201);
    }
    auto root = Call(port_, "GET", "/");
    ASSERT_EQ(root.status, 200) << root.body;
    EXPECT_EQ(root.content_type, "application/hal+json");
    auto links = Json(root)["_links"].as_object();
    EXPECT_TRUE(links.contains("lots") && links.contains("seen") && links.contains("profile")) << root.body;
    const std::string base = "http://localhost";  // the Host the test sends
    EXPECT_EQ(links["lots"].as_object()["href"].as_string(), base + "/lots{?page,size,sort}");

    auto profile = Call(port_, "GET", "/profile/lots");
    ASSERT_EQ(profile.status, 200) << profile.body;
    EXPECT_EQ(profile.content_type, "application/alps+json");
    EXPECT_NE(profile.body.find("\"name\":\"hospital\""), std::string::npos) << profile.body;
    EXPECT_EQ(Call(port_, "GET", "/profile").status, 200);

    // Page 1 of 3 (size 2): every page link, keeping the sort; the last page has no next.
    auto page = Call(port_, "GET", "/lots?size=2&page=1&sort=hospital,desc");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.content_type, "application/hal+json");
    auto pl = Json(page)["_links"].as_object();
    EXPECT_EQ(pl["first"].as_object()["href"].as_string(), base + "/lots?sort=hospital,desc&page=0&size=2");
    EXPECT_EQ(pl["prev"].as_object()["href"].as_string(), base + "/lots?sort=hospital,desc&page=0&size=2");
    EXPECT_EQ(pl["next"].as_object()["href"].as_string(), base + "/lots?sort=hospital,desc&page=2&size=2");
    EXPECT_EQ(pl["last"].as_object()["href"].as_string(), base + "/lots?sort=hospital,desc&page=2&size=2");
    EXPECT_EQ(pl["profile"].as_object()["href"].as_string(), base + "/profile/lots");
    auto last = Json(Call(port_, "GET", "/lots?size=2&page=2"))["_links"].as_object();
    EXPECT_FALSE(last.contains("next"));
    EXPECT_TRUE(last.contains("prev"));
    auto one = Json(Call(port_, "GET", "/lots?size=20"))["_links"].as_object();
    EXPECT_FALSE(one.contains("first") || one.contains("next")) << "one page needs no page links";
}

TEST_F(RestWritesTest, PatchMergesPutReplacesAndBadInputChangesNothing) {
    ASSERT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"Seoul","availableDate":"2021-09-10","qty":3})").status, 201);

    auto patched = Call(port_, "PATCH", "/lots/1", R"({"qty":5,"note":"cold chain","status":"hacked"})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    auto lot = Json(patched);
    EXPECT_EQ(lot["qty"].as_int64(), 5);
    EXPECT_EQ(lot["hospital"].as_string(), "Seoul");  // untouched fields stay
    EXPECT_EQ(lot["note"].as_string(), "cold chain");
    EXPECT_EQ(lot["status"].as_string(), "registered");

    EXPECT_EQ(Call(port_, "PATCH", "/lots/1", R"({"note":null})").status, 200);  // merge patch: null clears
    EXPECT_TRUE(Json(Call(port_, "GET", "/lots/1"))["note"].is_null());

    for (const char* bad : {R"({"qty":"many"})", R"({"hospital":null})", R"({"hospital":""})",
                            R"({"availableDate":"2021-02-30"})", "not json"}) {
        EXPECT_EQ(Call(port_, "PATCH", "/lots/1", bad).status, 400) << bad;
    }
    EXPECT_EQ(Call(port_, "PATCH", "/lots/1", R"({"qty":-1})").status, 409);
    EXPECT_EQ(Call(port_, "PATCH", "/lots/7", R"({"qty":1})").status, 404);
    EXPECT_EQ(Json(Call(port_, "GET", "/lots/1"))["qty"].as_int64(), 5);  // nothing changed

    EXPECT_EQ(Call(port_, "PUT", "/lots/1", R"({"qty":2})").status, 400);  // PUT gives every client field
    auto put = Call(port_, "PUT", "/lots/1", R"({"hospital":"Busan","availableDate":"2021-10-01","qty":0})");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(Json(put)["hospital"].as_string(), "Busan");
    EXPECT_EQ(Json(put)["status"].as_string(), "registered");

    EXPECT_EQ(Seen(4), (std::vector<std::string>{"LotRegistered:1", "LotChanged:1", "LotChanged:1", "LotChanged:1"}));
}

TEST_F(RestWritesTest, DeleteIsGuardedAndThenGone) {
    ASSERT_EQ(Call(port_, "POST", "/lots", R"({"hospital":"Seoul","availableDate":"2021-09-10","qty":3})").status, 201);
    auto refused = Call(port_, "DELETE", "/lots/1");
    EXPECT_EQ(refused.status, 409);
    EXPECT_NE(refused.body.find("the lot still has doses"), std::string::npos);
    ASSERT_EQ(Call(port_, "PATCH", "/lots/1", R"({"qty":0})").status, 200);
    EXPECT_EQ(Call(port_, "DELETE", "/lots/1").status, 204);
    EXPECT_EQ(Call(port_, "GET", "/lots/1").status, 404);
    EXPECT_EQ(Call(port_, "DELETE", "/lots/1").status, 404);
    EXPECT_EQ(Call(port_, "DELETE", "/lots/abc").status, 404);
}

}  // namespace
}  // namespace reservo::service
