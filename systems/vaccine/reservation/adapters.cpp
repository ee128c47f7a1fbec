// Inbound adapter of reservation: the resource `/reservations`, whose writes are commands
// (reserve, cancel) rather than edits.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine/reservation/application.hpp"
#include "systems/vaccine/reservation/module.hpp"

namespace reservo::vaccine {
namespace {

using namespace booking;

// Ids are the reservation saga's: a reservation exists only once its dose was taken.
const store::Table<Reservation> kReservations({.collection = "reservations",
                                               .finders = {"userId"},
                                               .assigned_ids = true});

struct ReserveBody {
    int64_t userId;
    std::optional<int64_t> vaccineId;
    std::optional<std::string> hospital;
    std::optional<json::Date> reservedDate;
    std::optional<std::string> vaccineType;
};
BOOST_DESCRIBE_STRUCT(ReserveBody, (), (userId, vaccineId, hospital, reservedDate, vaccineType))

Result<ReserveCommand> ReadReserve(std::string_view text) {
    auto body = json::Parse<ReserveBody>(text);
    if (!body) return Fail(body.error());
    ReserveCommand cmd{.userId = body->userId, .vaccineId = body->vaccineId};
    if (cmd.vaccineId) {
        if (*cmd.vaccineId <= 0) return Fail(Code::kInvalidArgument, "vaccineId: must be a positive number");
        return cmd;
    }
    if (!body->hospital || !body->reservedDate || !body->vaccineType) {
        return Fail(Code::kInvalidArgument, "give vaccineId, or hospital, reservedDate and vaccineType");
    }
    if (auto st = ValidatePlaceAndType(*body->hospital, *body->vaccineType); !st) return Fail(st.error());
    cmd.hospital = *body->hospital;
    cmd.reservedDate = body->reservedDate->iso;
    cmd.vaccineType = *body->vaccineType;
    return cmd;
}

struct ReservationService {
    ReservationService(service::ServiceContext& ctx, std::chrono::milliseconds abandon_after)
        : uow(ctx), reservations(kReservations, uow, ctx.Dep("vaccine-mgmt"), abandon_after) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kReservations.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kReservations.shape());
        auto& dep = ctx.Dep("vaccine-mgmt");
        r.PostAsync("/reservations", [this, &dep](http::Request& req) -> http::Awaitable<http::Response> {
            auto cmd = ReadReserve(req.body);
            if (!cmd) co_return http::ProblemFrom(cmd.error());
            auto reserved = co_await reservations.ReserveVaccine(std::move(*cmd));
            co_return service::CreatedAfterCall(req, kReservations, reserved, dep);
        });
        service::ExposeStatusCommand<Reservation>(
            r, uow, kReservations, "reservationStatus",
            [](const std::string& requested, const Reservation& current) {
                return IsCancelRequest(requested, current.reservationStatus);
            },
            [this](service::Tx& tx, int64_t id) { return reservations.CancelReservation(tx, id); });
        service::ExposeDeleteCommand<Reservation>(r, uow, kReservations, [this](service::Tx& tx, int64_t id) {
            return reservations.CancelReservation(tx, id);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    Reservations reservations;
};

}  // namespace

service::ServiceModule ReservationModule() {
    return service::ServiceModule{
        .system = "vaccine",
        .name = "reservation",
        .settings = {{"abandon-after-ms", Schema::Millis(1000).Required()},
                     // Its calls to take a dose: the policy is the YAML's, never a default.
                     {"dependencies.vaccine-mgmt", Schema::Map({}).Required()}},
        .wire = service::WireParts<ReservationService>(
            [](const Config& c) { return c.RequireMillis("services.reservation.abandon-after-ms"); }),
    };
}

}  // namespace reservo::vaccine
