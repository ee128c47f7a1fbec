// Inbound adapters of reservation: the resource `/reservations`, whose writes are commands (reserve,
// cancel) rather than edits, and the policies on vaccine-mgmt's answers.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine-approval/events.hpp"
#include "systems/vaccine-approval/reservation/application.hpp"
#include "systems/vaccine-approval/reservation/module.hpp"

namespace reservo::approval_system {
namespace {

using namespace booking;

// Ids are the reservation saga's: a reservation exists only once approval approved it.
const store::Table<Reservation> kReservations({.collection = "reservations",
                                               .finders = {"customerId", "hospital"},
                                               .assigned_ids = true});

struct ReserveBody {
    int64_t customerId;
    std::string customerName;
    std::string hospital;
    json::Date reservationDate;
    std::optional<std::string> vaccineType;
};
BOOST_DESCRIBE_STRUCT(ReserveBody, (), (customerId, customerName, hospital, reservationDate, vaccineType))

Result<ReservationRequest> ReadReserve(std::string_view text) {
    auto body = json::Parse<ReserveBody>(text);
    if (!body) return Fail(body.error());
    ReservationRequest request{body->customerId, body->customerName, body->hospital, body->reservationDate.iso,
                               body->vaccineType};
    if (auto st = ValidateRequest(request); !st) return Fail(st.error());
    return request;
}

struct ReservationService {
    ReservationService(service::ServiceContext& ctx, std::chrono::milliseconds abandon_after)
        : uow(ctx), reservations(kReservations, uow, ctx.Dep("approval"), abandon_after) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kReservations.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kReservations.shape());
        auto& dep = ctx.Dep("approval");
        r.PostAsync("/reservations", [this, &dep](http::Request& req) -> http::Awaitable<http::Response> {
            auto request = ReadReserve(req.body);
            if (!request) co_return http::ProblemFrom(request.error());
            auto reserved = co_await reservations.ReserveVaccination(std::move(*request));
            co_return service::CreatedAfterCall(req, kReservations, reserved, dep);
        });
        service::ExposeStatusCommand<Reservation>(
            r, uow, kReservations, "status",
            [](const std::string& requested, const Reservation& current) {
                return IsCancelRequest(requested, current.status);
            },
            [this](service::Tx& tx, int64_t id) { return reservations.RequestCancellation(tx, id); });
        service::ExposeDeleteCommand<Reservation>(r, uow, kReservations, [this](service::Tx& tx, int64_t id) {
            return reservations.RequestCancellation(tx, id);
        });

        service::On<VaccineAssigned>(uow, [this](const VaccineAssigned& e, service::Tx& tx) {
            return reservations.CompleteReservation(tx, e.reservationId,
                                                    {e.vaccineId, e.vaccineType, e.expiryDate, e.manufactureDate});
        });
        service::On<VaccineAssignFailed>(uow, [this](const VaccineAssignFailed& e, service::Tx& tx) {
            return reservations.RejectReservation(tx, e.reservationId, e.reason);
        });
        service::On<VaccineReleased>(uow, [this](const VaccineReleased& e, service::Tx& tx) {
            return reservations.ConfirmCancellation(tx, e.reservationId);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    Reservations reservations;
};

}  // namespace

service::ServiceModule ReservationModule() {
    return service::ServiceModule{
        .system = "vaccine-approval",
        .name = "reservation",
        .settings = {{"abandon-after-ms", Schema::Millis(1000).Required()},
                     // Its calls for approval: the policy is the YAML's, never a default.
                     {"dependencies.approval", Schema::Map({}).Required()}},
        .wire = service::WireParts<ReservationService>(
            [](const Config& c) { return c.RequireMillis("services.reservation.abandon-after-ms"); }),
    };
}

}  // namespace reservo::approval_system
