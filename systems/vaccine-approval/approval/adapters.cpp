// Adapters of approval: the resource `/approvals` (reads), the booking window
// (`GET /approvals/bookingWindow`), the approving call reservation makes (`POST /approvals`,
// internal: never routed by the gateway) and the policies that withdraw or close an approval.
#include "kit/http/hal.hpp"
#include "kit/http/problem.hpp"
#include "kit/service/rest.hpp"
#include "systems/vaccine-approval/approval/application.hpp"
#include "systems/vaccine-approval/approval/module.hpp"
#include "systems/vaccine-approval/events.hpp"

namespace reservo::approval_system {
namespace {

using namespace approvals;

const store::Table<Approval> kApprovals({.collection = "approvals",
                                         .finders = {"customerId", "reservationId"},
                                         .unique = {"reservationId"}});

struct ApproveBody {
    int64_t reservationId;
    int64_t customerId;
    std::string customerName;
    std::string hospital;
    json::Date reservationDate;
};
BOOST_DESCRIBE_STRUCT(ApproveBody, (), (reservationId, customerId, customerName, hospital, reservationDate))

Result<ApprovalRequest> ReadApprove(std::string_view text) {
    auto body = json::Parse<ApproveBody>(text);
    if (!body) return Fail(body.error());
    return ApprovalRequest{body->reservationId, body->customerId, body->customerName, body->hospital,
                           body->reservationDate.iso};
}

struct ApprovalService {
    ApprovalService(service::ServiceContext& ctx, ApprovalPolicy policy) : uow(ctx), approvals(kApprovals, policy) {}

    Status Wire(service::ServiceContext& ctx) {
        if (auto st = kApprovals.shape().Ensure(ctx.db()); !st) return st;
        service::ExposeReads(ctx.router(), ctx.db(), kApprovals.shape());
        ctx.router().Get("/approvals/bookingWindow", [this](http::Request&) {
            auto window = approvals.BookingWindowToday();
            return window ? http::JsonResponse(200, json::ToObject(*window)) : http::ProblemFrom(window.error());
        });
        ctx.router().PostAsync("/approvals", [this](http::Request& req) -> http::Awaitable<http::Response> {
            auto request = ReadApprove(req.body);
            if (!request) co_return http::ProblemFrom(request.error());
            auto decided =
                co_await uow.Write([&](service::Tx& tx) { return approvals.ApproveReservation(tx, *request); });
            if (!decided) co_return http::ProblemFrom(decided.error());
            const Approval& a = decided->approval;
            co_return decided->repeated
                ? http::EntityResponse(req, 200, "approvals", a.id, service::EntityJson(kApprovals, a))
                : http::CreatedResponse(req, "approvals", a.id, service::EntityJson(kApprovals, a));
        });
        service::On<ReservationAborted>(uow, [this](const ReservationAborted& e, service::Tx& tx) {
            return approvals.WithdrawApproval(
                tx, {e.reservationId, e.customerId, e.customerName, e.hospital, e.reservationDate});
        });
        service::On<ReservationCancelRequested>(uow, [this](const ReservationCancelRequested& e, service::Tx& tx) {
            return approvals.CloseApproval(tx, e.reservationId);
        });
        service::On<VaccineAssignFailed>(uow, [this](const VaccineAssignFailed& e, service::Tx& tx) {
            return approvals.CloseApproval(tx, e.reservationId);
        });
        return Ok();
    }

    service::UnitOfWork uow;
    Approvals approvals;
};

}  // namespace

service::ServiceModule ApprovalModule() {
    return service::ServiceModule{
        .system = "vaccine-approval",
        .name = "approval",
        .settings = {{"booking-horizon-days", Schema::Int(0, 3660).Required()}},
        .wire = service::WireParts<ApprovalService>([](const Config& c) -> Result<ApprovalPolicy> {
            auto horizon = c.RequireInt("services.approval.booking-horizon-days");
            if (!horizon) return Fail(horizon.error());
            return ApprovalPolicy{.booking_horizon_days = *horizon};
        }),
    };
}

}  // namespace reservo::approval_system
