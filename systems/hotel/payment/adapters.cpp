// Adapters of payment: the resource `/payments` (reads, and the paying call reservation makes),
// the same paying call over gRPC (payment.proto, grpc_adapter.cpp), and the policies that cancel
// or void a reservation's payment.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "kit/service/saga.hpp"
#include "systems/hotel/events.hpp"
#include "systems/hotel/payment/application.hpp"
#include "systems/hotel/payment/grpc_adapter.hpp"
#include "systems/hotel/payment/grpc_contract.hpp"
#include "systems/hotel/payment/module.hpp"

namespace reservo::hotel {
namespace {

using namespace pay;

const store::Table<Payment> kPayments({.collection = "payments",
                                       .finders = {"reservationId", "userId"},
                                       .unique = {"reservationId"},
                                       .checks = {"amount >= 0"}});

// Not a resource: the reservations whose payment was closed before one was made.
const store::Table<ClosedReservation> kClosed({.collection = "closedReservations", .assigned_ids = true});

// `POST /payments {reservationId, userId, amount, payMethod, payStatus}`: payStatus is the service's
// (ignored, like any unknown field).
struct PayBody {
    int64_t reservationId;
    std::string userId;
    int64_t amount;
    std::string payMethod;
};
BOOST_DESCRIBE_STRUCT(PayBody, (), (reservationId, userId, amount, payMethod))

struct PaymentService {
    explicit PaymentService(service::ServiceContext& ctx)
        : uow(ctx),
          saga(ctx, uow, {.name = "payments"}),
          payments(kPayments, kClosed,
                   [this](service::Tx& tx, const std::string& key, std::string step, std::string detail) {
                       return saga.Record(tx, key, std::move(step), std::move(detail));
                   }) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kPayments.shape().Ensure(ctx.db()); !st) return st;
        if (auto st = kClosed.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kPayments.shape());
        ctx.router().PostAsync("/payments", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto body = json::Parse<PayBody>(req.body);
            if (!body) co_return http::ProblemFrom(body.error());
            PayRequest request{body->reservationId, body->userId, body->amount, body->payMethod};
            auto paid = co_await Pay(std::move(request));
            if (!paid) co_return http::ProblemFrom(paid.error());
            auto entity = service::EntityJson(kPayments, paid->payment);
            if (paid->created) co_return http::CreatedResponse(req, "payments", paid->payment.id, std::move(entity));
            co_return http::EntityResponse(req, 200, "payments", paid->payment.id, std::move(entity));
        });
        service::On<ReservationCancelRequested>(uow, [this](const ReservationCancelRequested& e, service::Tx& tx) {
            return payments.CancelPayment(tx, e);
        });
        service::On<ReservationAborted>(
            uow, [this](const ReservationAborted& e, service::Tx& tx) { return payments.VoidPayment(tx, e); });
        return ServeGrpc(ctx);
    }

    // The paying use case, for REST and gRPC alike.
    http::Awaitable<Result<PayResult>> Pay(PayRequest request) {
        co_return co_await uow.Write([&](service::Tx& tx) { return payments.Pay(tx, request); });
    }

    // gRPC beside REST, on services.payment.grpc-port at the address the service binds, when that
    // is set: only then is the gRPC module loaded. Configured, it must serve, or payment does not
    // start (the module missing, the port taken).
    Status ServeGrpc(service::ServiceContext& ctx) {
        const Config& cfg = ctx.config();
        if (!cfg.Find("services.payment.grpc-port")) return Ok();
        auto port = GrpcPort(cfg);
        if (!port) return Fail(port.error());
        auto api = LoadGrpcModule();
        if (!api) return Fail(Code::kFailedPrecondition, "services.payment.grpc-port: " + api.error().message);
        std::string host = cfg.GetString("runtime.bind-address", "127.0.0.1");
        auto served = GrpcPayments::Start(**api, ctx, {.address = host + ":" + std::to_string(*port)},
                                          [this](PayRequest request) { return Pay(std::move(request)); });
        if (!served) return Fail(Code::kUnavailable, "services.payment.grpc-port: " + served.error().message);
        grpc = std::move(*served);
        return Ok();
    }

    service::UnitOfWork uow;
    service::Saga saga;
    Payments payments;
    std::unique_ptr<GrpcPayments> grpc;  // the gRPC adapter; stops with the service
};

}  // namespace

service::ServiceModule PaymentModule() {
    return service::ServiceModule{
        .system = "hotel",
        .name = "payment",
        // Where it serves gRPC; absent: no gRPC, and the gRPC module is not loaded (grpc_module.hpp).
        .settings = {{"grpc-port", Schema::Int(1, 65535)}},
        .wire = service::WireParts<PaymentService>(),
    };
}

}  // namespace reservo::hotel
