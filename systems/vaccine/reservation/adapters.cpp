// Inbound adapter of reservation: REST resource `/reservations`.
#include <boost/json.hpp>

#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/json/json.hpp"
#include "kit/service/resource.hpp"
#include "systems/vaccine/reservation/application.hpp"
#include "systems/vaccine/reservation/module.hpp"

namespace reservo::vaccine {
namespace {

using namespace booking;
namespace bj = boost::json;

constexpr store::Migration kMigrations[] = {
    {1,
     "CREATE TABLE pending_reservations (id INTEGER PRIMARY KEY AUTOINCREMENT, created_ms INTEGER NOT NULL);"
     "CREATE TABLE reservations (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, vaccine_id INTEGER NOT NULL, "
     "hospital TEXT NOT NULL, reserved_date TEXT NOT NULL, vaccine_type TEXT NOT NULL, "
     "reservation_status TEXT NOT NULL);"
     "CREATE INDEX reservations_by_user ON reservations (user_id);"},
};

const service::Resource kReservations{"reservations",
                                      "reservations",
                                      {{"id", "id", service::Column::kInt},
                                       {"userId", "user_id", service::Column::kInt},
                                       {"vaccineId", "vaccine_id", service::Column::kInt},
                                       {"hospital", "hospital"},
                                       {"reservedDate", "reserved_date"},
                                       {"vaccineType", "vaccine_type"},
                                       {"reservationStatus", "reservation_status"}}};

struct ReserveBody {
    int64_t userId;
    std::optional<int64_t> vaccineId;
    std::optional<std::string> hospital;
    std::optional<json::Date> reservedDate;
    std::optional<std::string> vaccineType;
};
BOOST_DESCRIBE_STRUCT(ReserveBody, (), (userId, vaccineId, hospital, reservedDate, vaccineType))

struct StatusBody {
    std::optional<std::string> reservationStatus;
};
BOOST_DESCRIBE_STRUCT(StatusBody, (), (reservationStatus))

bj::object ToJson(const Reservation& r) {
    return {{"id", r.id},
            {"userId", r.userId},
            {"vaccineId", r.vaccineId},
            {"hospital", r.hospital},
            {"reservedDate", r.reservedDate},
            {"vaccineType", r.vaccineType},
            {"reservationStatus", r.reservationStatus}};
}

class ReservationApi final {
  public:
    explicit ReservationApi(service::ServiceContext& ctx)
        : ctx_(ctx),
          reservations_(
              ctx.db(), ctx.Dep("vaccine-mgmt"), [&ctx](const messaging::CloudEvent& e) { return ctx.Publish(e); },
              ctx.source()) {}

    void Wire() {
        auto& r = ctx_.router();
        auto& db = ctx_.db();
        r.Get("/reservations", [&](http::Request& req) { return service::ListResource(req, db, kReservations); });
        r.Get("/reservations/{id}", [&](http::Request& req) { return service::ShowResource(req, db, kReservations); });
        r.Get("/reservations/search/findByUserId",
              [&](http::Request& req) { return service::FindResource(req, db, kReservations, "userId"); });
        r.PostAsync("/reservations", [this](http::Request& req) { return Reserve(req); });
        r.Patch("/reservations/{id}", [this](http::Request& req) { return Change(req); });
        r.Delete("/reservations/{id}", [this](http::Request& req) {
            auto id = http::ParseId(req.Param("id"));
            if (!id) return http::ProblemFrom(id.error());
            auto res = reservations_.CancelReservation(*id);
            return res ? http::EmptyResponse(204) : http::ProblemFrom(res.error());
        });
        int64_t abandon_ms = ctx_.config().GetInt("services.reservation.abandon-after-ms", 30'000);
        ctx_.Every(std::chrono::milliseconds(5000),
                   [this, abandon_ms] { (void)reservations_.SweepAbandoned(abandon_ms); });
    }

  private:
    http::Awaitable<http::Response> Reserve(http::Request& req) {
        auto body = json::Parse<ReserveBody>(req.body);
        if (!body) co_return http::ProblemFrom(body.error());
        ReserveCommand cmd{.userId = body->userId, .vaccineId = body->vaccineId};
        if (!cmd.vaccineId) {
            if (!body->hospital || !body->reservedDate || !body->vaccineType) {
                co_return http::Problem(400, "", "give vaccineId, or hospital, reservedDate and vaccineType");
            }
            if (auto st = ValidatePlaceAndType(*body->hospital, *body->vaccineType); !st) {
                co_return http::ProblemFrom(st.error());
            }
            cmd.hospital = *body->hospital;
            cmd.reservedDate = body->reservedDate->iso;
            cmd.vaccineType = *body->vaccineType;
        } else if (*cmd.vaccineId <= 0) {
            co_return http::Problem(400, "", "vaccineId: must be a positive number");
        }
        auto& dep = ctx_.Dep("vaccine-mgmt");
        auto r = co_await reservations_.ReserveVaccine(std::move(cmd));
        if (!r) {
            if (r.error().code == Code::kUnavailable)
                co_return http::Unavailable(r.error().message, dep.RetryAfterMs());
            co_return http::ProblemFrom(r.error());
        }
        co_return http::CreatedResponse(req, "reservations", r->id, ToJson(*r));
    }

    http::Response Change(http::Request& req) {
        auto id = http::ParseId(req.Param("id"));
        if (!id) return http::ProblemFrom(id.error());
        auto body = json::Parse<StatusBody>(req.body);
        if (!body) return http::ProblemFrom(body.error());
        auto current = reservations_.Load(*id);
        if (!current) return http::ProblemFrom(current.error());
        if (!body->reservationStatus) return http::EntityResponse(req, 200, "reservations", *id, ToJson(*current));
        auto cancel = IsCancelRequest(*body->reservationStatus, current->reservationStatus);
        if (!cancel) return http::ProblemFrom(cancel.error());
        if (!*cancel) return http::EntityResponse(req, 200, "reservations", *id, ToJson(*current));
        auto r = reservations_.CancelReservation(*id);
        if (!r) return http::ProblemFrom(r.error());
        return http::EntityResponse(req, 200, "reservations", *id, ToJson(*r));
    }

    service::ServiceContext& ctx_;
    Reservations reservations_;
};

}  // namespace

service::ServiceModule ReservationModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "reservation",
        .migrations = {std::begin(kMigrations), std::end(kMigrations)},
        .wire = [](service::ServiceContext& ctx) -> Status {
            static std::unique_ptr<ReservationApi> api;
            api = std::make_unique<ReservationApi>(ctx);
            api->Wire();
            return Ok();
        },
    };
}

}  // namespace reservo::vaccine
