// Payment's gRPC inbound adapter: `reservo.hotel.payment.v1.Payments` (payment.proto) on a port of
// its own, beside the REST resource, calling the same use case.
//
//   const ReservoHotelGrpcApi* api = RESERVO_TRY(pay::LoadGrpcModule());
//   auto grpc = pay::GrpcPayments::Start(*api, ctx, {.address = "127.0.0.1:9283"},
//                                        [this](PayRequest r) { return PayOnce(std::move(r)); });
//   if (!grpc) return Fail(grpc.error());   // the port taken, say
//
// gRPC (in the module, grpc_module.hpp) serves on its own threads; each call is handed to the
// service's event loop (the store is touched only there), runs the use case there with the call's
// deadline and trace, and is answered from there when the use case finishes. The server stops
// taking calls when the service begins to drain (ServiceContext::OnDrain) and waits a while for
// those in flight; destroying the adapter shuts it down for good. Nothing here includes gRPC's
// headers or links gRPC.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kit/http/router.hpp"
#include "kit/service/service.hpp"
#include "systems/hotel/payment/application.hpp"
#include "systems/hotel/payment/grpc_module.hpp"

namespace reservo::hotel::pay {

// The use case a call runs, on the event loop.
using PayUseCase = std::function<http::Awaitable<Result<PayResult>>(PayRequest)>;

struct GrpcOptions {
    std::string address;  // "host:port"
    // SO_REUSEPORT, gRPC's default: replicas, and the old and new process of a rolling restart,
    // share the port. `reservo up` binds services' HTTP ports without it, so those cannot be shared.
    bool reuse_port = true;
};

class GrpcPayments final {
  public:
    // Listens and serves through `api` (which outlives the adapter); fails when the address
    // cannot be bound.
    static Result<std::unique_ptr<GrpcPayments>> Start(const ReservoHotelGrpcApi& api, service::ServiceContext& ctx,
                                                       const GrpcOptions& options, PayUseCase pay);
    ~GrpcPayments();
    GrpcPayments(const GrpcPayments&) = delete;
    GrpcPayments& operator=(const GrpcPayments&) = delete;

    int port() const;

    struct Impl;

  private:
    explicit GrpcPayments(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace reservo::hotel::pay
