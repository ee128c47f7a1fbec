// Adapters of reservation: the resource `/reservations`, whose writes are commands (reserve
// through diagnosis, change, cancel) rather than plain edits.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/animal-hospital/reservation/application.hpp"
#include "systems/animal-hospital/reservation/module.hpp"

namespace reservo::animal_hospital {
namespace {

using namespace booking;

// Ids are the reserve-visit saga's: a reservation exists only once its medical record was opened.
const store::Table<Reservation> kReservations({.collection = "reservations",
                                               .finders = {"reservatorName", "phoneNumber", "status"},
                                               .assigned_ids = true});

// The seed's body; anything else it carries (status, id, ...) is the service's and is ignored.
struct ReserveBody {
    std::string reservatorName;
    json::Date reservationDate;
    std::string phoneNumber;
};
BOOST_DESCRIBE_STRUCT(ReserveBody, (), (reservatorName, reservationDate, phoneNumber))

struct ChangeBody {
    std::optional<std::string> reservatorName;
    std::optional<json::Date> reservationDate;
    std::optional<std::string> phoneNumber;
};
BOOST_DESCRIBE_STRUCT(ChangeBody, (), (reservatorName, reservationDate, phoneNumber))

Result<ChangeCommand> ReadChange(std::string_view text) {
    auto body = json::Parse<ChangeBody>(text);
    if (!body) return Fail(body.error());
    ChangeCommand c{.reservatorName = body->reservatorName, .phoneNumber = body->phoneNumber};
    if (body->reservationDate) c.reservationDate = body->reservationDate->iso;
    return c;
}

struct ReservationService {
    ReservationService(service::ServiceContext& ctx, std::chrono::milliseconds abandon_after)
        : uow(ctx), reservations(kReservations), booking(reservations, uow, ctx.Dep("diagnosis"), abandon_after) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kReservations.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kReservations.shape());
        auto& diagnosis = ctx.Dep("diagnosis");
        r.PostAsync("/reservations", [this, &diagnosis](http::Request& req) -> http::Awaitable<http::Response> {
            auto body = json::Parse<ReserveBody>(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            ReserveCommand command{body->reservatorName, body->reservationDate.iso, body->phoneNumber};
            auto reserved = co_await booking.Reserve(std::move(command));
            co_return service::CreatedAfterCall(req, kReservations, reserved, diagnosis);
        });
        r.PatchAsync("/reservations/{id}", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto id = http::ParseId(req.Param("id"));
            if (!id) co_return http::ProblemFrom(id.error());
            auto command = ReadChange(req.body);
            if (!command) co_return http::ProblemFrom(command.error());
            auto changed =
                co_await uow.Write([&](service::Tx& tx) { return reservations.ChangeReservation(tx, *id, *command); });
            if (!changed) co_return http::ProblemFrom(changed.error());
            co_return http::EntityResponse(req, 200, "reservations", changed->id,
                                           service::EntityJson(kReservations, *changed));
        });
        service::ExposeDeleteCommand<Reservation>(r, uow, kReservations, [this](service::Tx& tx, int64_t id) {
            return reservations.CancelReservation(tx, id);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    Reservations reservations;
    VisitBooking booking;
};

}  // namespace

service::ServiceModule ReservationModule() {
    return service::ServiceModule{
        .system = "animal-hospital",
        .name = "reservation",
        .settings = {{"abandon-after-ms", Schema::Millis(1000).Required()},
                     // Its calls to open a record: the policy is the YAML's, never a default.
                     {"dependencies.diagnosis", Schema::Map({}).Required()}},
        .wire = service::WireParts<ReservationService>(
            [](const Config& c) { return c.RequireMillis("services.reservation.abandon-after-ms"); }),
    };
}

}  // namespace reservo::animal_hospital
