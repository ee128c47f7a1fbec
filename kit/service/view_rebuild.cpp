#include "kit/service/view_rebuild.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>

#include "kit/core/clock.hpp"
#include "kit/core/fiber.hpp"
#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/messaging/consumer.hpp"
#include "kit/service/projection.hpp"
#include "kit/service/spawn.hpp"

namespace reservo::service {
namespace {

using store::Sql;
using namespace std::chrono_literals;

std::string Shadow(const std::string& table) { return table + "__rebuild"; }

// The rebuilds of one service: its views, and the replay in progress if any.
class Rebuilds final {
  public:
    explicit Rebuilds(ServiceContext& ctx) : ctx_(ctx) {
        ctx_.actuator().Post("/actuator/views/rebuild", [this](http::Request&) { return Start(); });
        ctx_.actuator().Get("/actuator/views/rebuild",
                            [this](http::Request&) { return http::JsonResponse(200, Describe()); });
    }

    void Add(const View& view) { views_.push_back(&view); }
    std::vector<std::string> Tables() const {
        std::vector<std::string> out;
        for (const View* v : views_) out.push_back(v->shape().table());
        return out;
    }

  private:
    boost::json::object Describe() const {
        boost::json::object out{{"state", state_}, {"applied", consumer_ ? consumer_->processed() : applied_}};
        boost::json::array tables;
        for (const View* v : views_) tables.push_back(boost::json::string(v->shape().table()));
        out["views"] = std::move(tables);
        if (!started_at_.empty()) out["startedAt"] = started_at_;
        if (!finished_at_.empty()) out["finishedAt"] = finished_at_;
        if (!error_.empty()) out["error"] = error_;
        return out;
    }

    http::Response Start() {
        if (state_ == "running" || state_ == "preparing")
            return http::Problem(409, "", "a rebuild is running; GET /actuator/views/rebuild shows it");
        messaging::EventLog* log = ctx_.reader_log();  // positions of its own, beside the live consumer's
        if (!log) return http::Problem(409, "", "this service reads no events (or its log is unreachable)");
        // Preparing may wait for the store (on a fiber): a second start meanwhile is refused.
        const std::string before = std::exchange(state_, "preparing");
        if (auto st = PrepareShadows(); !st) {
            state_ = before;
            return http::ProblemFrom(st.error());
        }
        // A group of its own, never used before: it reads from the first retained record.
        group_ = ctx_.name() + ".rebuild-" + std::to_string(NowUnixMillis());
        consumer_ = std::make_unique<messaging::Consumer>(
            ctx_.db(), *log,
            messaging::ConsumerOptions{
                .group = group_, .topic = ctx_.topic(), .member_id = group_ + "-" + std::to_string(::getpid())});
        for (const View* v : views_) {
            std::string shadow = Shadow(v->shape().table());
            for (const auto& type : v->EventTypes()) {
                consumer_->On(type, [v, shadow](const messaging::CloudEvent& e, store::Database& db) {
                    return v->Apply(e, db, shadow);
                });
            }
        }
        state_ = "running";
        started_at_ = NowIso8601();
        finished_at_.clear();
        error_.clear();
        applied_ = 0;
        log::Info("view rebuild started", {{"group", group_}});
        // The replay runs only while a rebuild does: an idle view has no timer of its own.
        boost::asio::co_spawn(ctx_.io(), Replay(), LogFailure("view rebuild", [this](const std::string& why) {
                                  state_ = "failed";
                                  error_ = why;
                                  if (consumer_) consumer_->Close();  // leaves its group (a Kafka member)
                                  consumer_.reset();
                              }));
        return http::JsonResponse(202, Describe());
    }

    Status PrepareShadows() {
        auto& db = ctx_.db();
        auto tx = db.TryBegin();
        if (!tx) return Fail(Code::kUnavailable, "the store is busy; try again");
        for (const View* v : views_) {
            std::string shadow = Shadow(v->shape().table());
            if (auto r = db.Execute(Sql{"drop_shadow", "DROP TABLE IF EXISTS " + shadow}); !r) return Fail(r.error());
            if (auto st = v->shape().Renamed(shadow).Create(db); !st) return st;
        }
        return tx->Commit();
    }

    http::Awaitable<void> Replay() {
        boost::asio::steady_timer timer(ctx_.io());
        while (state_ == "running") {
            bool progress = false;
            for (int pass = 0; pass < 16 && state_ == "running"; ++pass) {
                bool more = false;
                if (ctx_.db().Suspends()) {
                    more = co_await fiber::Call(ctx_.io(), [this] { return Pump(); });  // the loop goes on
                } else {
                    more = Pump();
                }
                if (!more) break;
                progress = true;
            }
            timer.expires_after(progress ? 0ms : 20ms);  // between passes requests and events go on
            co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
    }

    // One replay pass; true when another pass now would make progress.
    bool Pump() {
        if (state_ != "running" || !consumer_) return false;
        auto n = consumer_->PollOnce();
        if (!n) return false;  // cannot join yet (busy log): next tick
        if (*n > 0) return true;
        auto lag = consumer_->Lag();
        const int partitions = ctx_.reader_log()->Partitions(ctx_.topic());
        if (!lag || *lag > 0 || static_cast<int>(consumer_->owned().size()) < partitions) return false;
        auto swapped = Swap();
        if (!swapped && swapped.error().code == Code::kUnavailable) return false;  // busy: next tick
        applied_ = consumer_->processed();
        consumer_->Close();
        consumer_.reset();
        finished_at_ = NowIso8601();
        if (swapped) {
            state_ = "done";
            log::Info("view rebuilt and swapped in", {{"group", group_}, {"applied", applied_}});
        } else {
            state_ = "failed";
            error_ = swapped.error().message;
            log::Error("view rebuild failed", {{"group", group_}, {"error", error_}});
        }
        return false;
    }

    // One transaction: each shadow replaces its table, and the service's group learns every event
    // the replay applied.
    Status Swap() {
        auto& db = ctx_.db();
        auto tx = db.TryBegin();
        if (!tx) return Fail(tx.error());
        for (const View* v : views_) {
            const std::string& table = v->shape().table();
            const std::string shadow = Shadow(table);
            auto indexes = db.Indexes(shadow);
            if (!indexes) return Fail(indexes.error());
            for (const auto& index : *indexes) {
                if (auto r = db.Execute(Sql{"drop_shadow_index", "DROP INDEX " + index}); !r) return Fail(r.error());
            }
            if (auto r = db.Execute(Sql{"drop_view_table", "DROP TABLE " + table}); !r) return Fail(r.error());
            if (auto r = db.Execute(Sql{"swap_view_table", "ALTER TABLE " + shadow + " RENAME TO " + table}); !r) {
                return Fail(r.error());
            }
            if (auto st = v->shape().Create(db); !st) return st;  // its indexes, under their own names
        }
        static constexpr Sql kAdopt{"inbox_adopt_rebuild",
                                    "INSERT OR IGNORE INTO inbox (grp, event_id, applied_at) "
                                    "SELECT ?, event_id, applied_at FROM inbox WHERE grp = ?"};
        static constexpr Sql kForget{"inbox_forget_rebuild", "DELETE FROM inbox WHERE grp = ?"};
        if (auto r = db.Execute(kAdopt, {ctx_.name(), group_}); !r) return Fail(r.error());
        if (auto r = db.Execute(kForget, {group_}); !r) return Fail(r.error());
        return tx->Commit();
    }

    ServiceContext& ctx_;
    std::vector<const View*> views_;
    std::unique_ptr<messaging::Consumer> consumer_;
    std::string group_;
    std::string state_ = "idle";
    std::string started_at_;
    std::string finished_at_;
    std::string error_;
    int64_t applied_ = 0;
};

// One per service; an entry whose context is gone (a test's earlier host at the same address)
// is known by its endpoint missing from this context's actuator.
std::map<ServiceContext*, std::unique_ptr<Rebuilds>>& Registry() {
    static std::map<ServiceContext*, std::unique_ptr<Rebuilds>> rebuilds;
    return rebuilds;
}

}  // namespace

void RegisterView(ServiceContext& ctx, const View& view) {
    auto& r = Registry()[&ctx];
    if (!r || !ctx.actuator().Handles("POST", "/actuator/views/rebuild")) r = std::make_unique<Rebuilds>(ctx);
    r->Add(view);
}

std::vector<std::string> ViewTables(ServiceContext& ctx) {
    auto it = Registry().find(&ctx);
    if (it == Registry().end() || !ctx.actuator().Handles("POST", "/actuator/views/rebuild")) return {};
    return it->second->Tables();
}

}  // namespace reservo::service
