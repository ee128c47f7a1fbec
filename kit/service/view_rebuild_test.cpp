// A projection rebuilt online: the replay fills a shadow table while the view keeps answering, the
// swap restores what the events say, and events after the swap are applied once.
#include "kit/service/view_rebuild.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "kit/http/problem.hpp"
#include "kit/service/host_test_support.hpp"
#include "kit/service/projection.hpp"
#include "kit/service/rest.hpp"
#include "kit/store/sqlite.hpp"

namespace reservo::service {
namespace {

using namespace std::chrono_literals;

struct Bumped {
    int64_t thing = 0;
    std::string label;
};
RESERVO_EVENT(Bumped, thing, (thing, label))

struct Tally {
    int64_t id = 0;
    int64_t thing = 0;
    int64_t bumps = 0;
    std::string label;
};
BOOST_DESCRIBE_STRUCT(Tally, (), (id, thing, bumps, label))

const store::Table<Tally> kTallies({.collection = "tallies", .finders = {"thing"}, .unique = {"thing"}});

struct TallyService {
    explicit TallyService(ServiceContext& ctx) : uow(ctx), view(uow, kTallies, "thing") {}
    Status Wire(ServiceContext& ctx) {
        if (auto st = kTallies.shape().Ensure(ctx.db()); !st) return st;
        ExposeReads(ctx.router(), ctx.db(), kTallies.shape());
        ctx.router().PostAsync("/bump/{thing}", [this](http::Request& req) -> http::Awaitable<http::Response> {
            Bumped e{.thing = std::stoll(std::string(req.Param("thing"))), .label = req.body};
            auto done = co_await uow.Write([&](Tx& tx) { return tx.Publish(e); });
            co_return done ? http::EmptyResponse(204) : http::ProblemFrom(done.error());
        });
        view.Create<Bumped>([](const Bumped& e, Tally& row) {
            row.thing = e.thing;
            row.bumps += 1;
            row.label = e.label;
        });
        return Ok();
    }
    UnitOfWork uow;
    Projection<Tally> view;
};

class ViewRebuildTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("reservo-rebuild-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        Start(1);
    }
    // The service as a view whose projection has `view_version`.
    void Start(int view_version) {
        auto [fd, port] = ListenOnLoopback();
        ASSERT_GE(fd, 0);
        port_ = port;
        auto cfg = HostTestConfig();
        ServiceModule module{.system = "t",
                             .name = "tallies",
                             .wire =
                                 [this](ServiceContext& ctx) {
                                     service_ = std::make_unique<TallyService>(ctx);
                                     return service_->Wire(ctx);
                                 },
                             .view_version = view_version};
        RunOptions opts{.listen_fd = fd, .data_dir = dir_.string()};
        host_ = std::thread([cfg, module, opts] { RunService(cfg, module, opts); });
        ASSERT_TRUE(WaitFor([&] { return Call(port_, "GET", "/actuator/health/readiness").status == 200; }));
    }
    void Stop() {
        if (host_.joinable()) {
            ::kill(::getpid(), SIGTERM);
            host_.join();
        }
        service_.reset();
    }
    void TearDown() override {
        Stop();
        std::filesystem::remove_all(dir_);
    }
    template <class F>
    bool WaitFor(F done, std::chrono::milliseconds limit = 15s) {
        for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
            try {
                if (done()) return true;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }
    // Sum of bumps over the view, and its row count.
    std::pair<int64_t, int64_t> View() {
        auto body = boost::json::parse(Call(port_, "GET", "/tallies?size=1000").body).as_object();
        int64_t sum = 0;
        int64_t rows = 0;
        for (const auto& t : body["_embedded"].as_object()["tallies"].as_array()) {
            sum += t.as_object().at("bumps").as_int64();
            ++rows;
        }
        return {sum, rows};
    }
    std::string State() {
        return std::string(
            boost::json::parse(Call(port_, "GET", "/actuator/views/rebuild").body).at("state").as_string());
    }

    std::filesystem::path dir_;
    int port_ = 0;
    std::thread host_;
    std::unique_ptr<TallyService> service_;
};

TEST_F(ViewRebuildTest, ARebuiltViewMatchesTheEventsAndKeepsAnsweringMeanwhile) {
    for (int i = 0; i < 300; ++i) ASSERT_EQ(Call(port_, "POST", "/bump/" + std::to_string(i % 30), "v1").status, 204);
    ASSERT_TRUE(WaitFor([&] { return View() == std::pair<int64_t, int64_t>{300, 30}; }));

    // The view goes wrong behind the service's back (a bad deploy, a bug since fixed).
    {
        auto db = store::SqliteDatabase::Open((dir_ / "tallies.db").string()).value();
        ASSERT_TRUE(db->Execute(store::Sql{"spoil", "UPDATE tallies SET bumps = 0, label = 'wrong'"}));
        ASSERT_TRUE(db->Execute(store::Sql{"lose", "DELETE FROM tallies WHERE thing < 10"}));
    }
    ASSERT_EQ(View(), (std::pair<int64_t, int64_t>{0, 20}));

    auto started = Call(port_, "POST", "/actuator/views/rebuild");
    ASSERT_EQ(started.status, 202) << started.body;
    int answered = 0;
    ASSERT_TRUE(WaitFor([&] {
        EXPECT_EQ(Call(port_, "GET", "/tallies").status, 200);  // the live table answers throughout
        ++answered;
        return State() == "done";
    }));
    EXPECT_GE(answered, 1);
    EXPECT_EQ(View(), (std::pair<int64_t, int64_t>{300, 30}));
    auto one = boost::json::parse(Call(port_, "GET", "/tallies/search/findByThing?thing=3").body);
    EXPECT_EQ(one.at("_embedded").at("tallies").as_array()[0].at("label").as_string(), "v1");

    // After the swap the service's own consumer goes on, applying new events once and old ones never again.
    for (int i = 0; i < 30; ++i) ASSERT_EQ(Call(port_, "POST", "/bump/" + std::to_string(i), "v2").status, 204);
    ASSERT_TRUE(WaitFor([&] { return View().first == 330; }));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(View(), (std::pair<int64_t, int64_t>{330, 30}));

    // And it can run again.
    ASSERT_EQ(Call(port_, "POST", "/actuator/views/rebuild").status, 202);
    ASSERT_TRUE(WaitFor([&] { return State() == "done"; }));
    EXPECT_EQ(View(), (std::pair<int64_t, int64_t>{330, 30}));
}

TEST_F(ViewRebuildTest, ANewProjectionVersionEmptiesTheViewAndReplaysTheLogAtStart) {
    for (int i = 0; i < 50; ++i) ASSERT_EQ(Call(port_, "POST", "/bump/" + std::to_string(i % 5), "v1").status, 204);
    ASSERT_TRUE(WaitFor([&] { return View() == std::pair<int64_t, int64_t>{50, 5}; }));
    Stop();
    {  // rows the new projection would not make (what a changed projection leaves behind)
        auto db = store::SqliteDatabase::Open((dir_ / "tallies.db").string()).value();
        ASSERT_TRUE(db->Execute(store::Sql{"stale", "UPDATE tallies SET bumps = 1000, label = 'stale'"}));
    }
    Start(1);  // same version: the rows are kept as they are
    EXPECT_EQ(View().first, 5000);
    Stop();
    Start(2);  // a new version: emptied and replayed from the log
    ASSERT_TRUE(WaitFor([&] { return View() == std::pair<int64_t, int64_t>{50, 5}; }));
    auto one = boost::json::parse(Call(port_, "GET", "/tallies/search/findByThing?thing=3").body);
    EXPECT_EQ(one.at("_embedded").at("tallies").as_array()[0].at("label").as_string(), "v1");
}

}  // namespace
}  // namespace reservo::service
