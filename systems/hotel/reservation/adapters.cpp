// Adapters of reservation: the resource `/reservations`, whose writes are commands (reserve,
// request a cancellation) rather than edits, and the policies on room's and payment's events.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/hotel/payment/grpc_contract.hpp"
#include "systems/hotel/reservation/application.hpp"
#include "systems/hotel/reservation/holds_sql.hpp"
#include "systems/hotel/reservation/module.hpp"
#include "systems/hotel/reservation/payment_grpc.hpp"

namespace reservo::hotel {
namespace {

using namespace booking;

// Ids are the reserve-room saga's: a reservation exists only once it was paid.
const store::Table<Reservation> kReservations({.collection = "reservations",
                                               .finders = {"userId", "roomId", "reservStatus"},
                                               .assigned_ids = true});

// Not a resource: the replica of room's rooms (ids are room's).
const store::Table<KnownRoom> kKnownRooms({.collection = "knownRooms", .assigned_ids = true});

// The seed's body; what else it carries (roomNo, amount, reservStatus, payCompletedYn, ...) is the
// service's to set and is ignored, like any unknown field.
struct ReserveBody {
    int64_t roomId;
    std::string userId;
    std::optional<std::string> userName;
    std::optional<int64_t> peopleQty;
    json::Date reservStartDate;
    json::Date reservEndDate;
    std::string payMethod;
};
BOOST_DESCRIBE_STRUCT(ReserveBody, (), (roomId, userId, userName, peopleQty, reservStartDate, reservEndDate, payMethod))

Result<ReserveCommand> ReadReserve(std::string_view text) {
    auto body = json::Parse<ReserveBody>(text);
    if (!body) return Fail(body.error());
    return ReserveCommand{.roomId = body->roomId,
                          .userId = body->userId,
                          .userName = body->userName.value_or(""),
                          .peopleQty = body->peopleQty.value_or(1),
                          .stay = {body->reservStartDate.iso, body->reservEndDate.iso},
                          .payMethod = body->payMethod};
}

template <class E>
KnownRoom Known(const E& e) {
    return KnownRoom{.id = e.id, .roomNo = e.roomNo, .price = e.price};
}

struct ReservationService {
    ReservationService(service::ServiceContext& ctx, std::chrono::milliseconds abandon_after)
        : uow(ctx),
          cancel(ctx, uow, {.name = "cancel-reservation"}),
          reservations(kReservations, kKnownRooms, holds,
                       [this](service::Tx& tx, const std::string& key, std::string step, std::string detail) {
                           return cancel.Record(tx, key, std::move(step), std::move(detail));
                       }),
          booking(reservations, uow, ctx.Dep("payment"), abandon_after) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kReservations.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kKnownRooms.shape().Ensure(ctx.db()); !st) return st;
        auto& r = ctx.router();
        service::ExposeReads(r, ctx.db(), kReservations.shape());
        auto& payment = ctx.Dep("payment");
        if (auto st = ChooseTransport(ctx, payment); !st) return st;
        r.PostAsync("/reservations", [this, &payment](http::Request& req) -> http::Awaitable<http::Response> {
            auto cmd = ReadReserve(req.body);
            if (!cmd) co_return http::ProblemFrom(cmd.error());
            auto reserved = co_await booking.ReserveRoom(std::move(*cmd));
            co_return service::CreatedAfterCall(req, kReservations, reserved, payment);
        });
        service::ExposeStatusCommand<Reservation>(
            r, uow, kReservations, "reservStatus",
            [](const std::string& requested, const Reservation& current) {
                return IsCancelRequest(requested, current.reservStatus);
            },
            [this](service::Tx& tx, int64_t id) { return reservations.RequestCancellation(tx, id); });

        service::On<RoomRegistered>(
            uow, [this](const RoomRegistered& e, service::Tx& tx) { return reservations.KnowRoom(tx, Known(e)); });
        service::On<RoomChanged>(
            uow, [this](const RoomChanged& e, service::Tx& tx) { return reservations.KnowRoom(tx, Known(e)); });
        service::On<RoomRemoved>(
            uow, [this](const RoomRemoved& e, service::Tx& tx) { return reservations.ForgetRoom(tx, e.id, e.roomNo); });
        service::On<PayCanceled>(
            uow, [this](const PayCanceled& e, service::Tx& tx) { return reservations.CompleteCancellation(tx, e); });
        return Ok();
    }

    // `dependencies.payment.transport`: rest (the default) or grpc, to `grpc-target` or where
    // payment's configuration says it serves gRPC (services.payment.grpc-port). Only grpc loads the
    // gRPC module; it missing, reservation does not start.
    static Status ChooseTransport(service::ServiceContext& ctx, service::Dependency& payment) {
        const std::string prefix = "services.reservation.dependencies.payment.";
        const Config& cfg = ctx.config();
        if (cfg.GetString(prefix + "transport", "rest") != "grpc") return Ok();
        auto target = cfg.Find(prefix + "grpc-target");
        if (!target) {
            auto derived = pay::GrpcTarget(cfg);
            if (!derived) return Fail(derived.error());
            target = *derived;
        }
        auto api = pay::LoadGrpcModule();
        if (!api) return Fail(Code::kFailedPrecondition, prefix + "transport: grpc: " + api.error().message);
        UsePaymentOverGrpc(**api, payment, ctx.io(), *target);
        return Ok();
    }

    service::UnitOfWork uow;
    SqlHolds holds;
    service::Saga cancel;
    Reservations reservations;
    RoomBooking booking;
};

}  // namespace

service::ServiceModule ReservationModule() {
    return service::ServiceModule{
        .system = "hotel",
        .name = "reservation",
        .migrations = {std::begin(kHoldsSchema), std::end(kHoldsSchema)},
        .settings = {{"abandon-after-ms", Schema::Millis(1000).Required()},
                     // Its calls to pay: the policy is the YAML's, never a default.
                     {"dependencies.payment", Schema::Map({}).Required()}},
        .wire = service::WireParts<ReservationService>(
            [](const Config& c) { return c.RequireMillis("services.reservation.abandon-after-ms"); }),
    };
}

}  // namespace reservo::hotel
