// Reservation's outbound adapter for payment over gRPC (systems/hotel/payment/payment.proto), the
// alternative to REST chosen by `services.reservation.dependencies.payment.transport: grpc`.
//
//   auto& payment = ctx.Dep("payment");
//   const ReservoHotelGrpcApi* api = RESERVO_TRY(pay::LoadGrpcModule());
//   UsePaymentOverGrpc(*api, payment, ctx.io(), RESERVO_TRY(pay::GrpcTarget(cfg)));
//
// The use cases keep calling `payment.Call(POST /payments …)`; the dependency hands each attempt to
// this adapter instead of its HTTP client (Dependency::SetTransport), so the call policy (bulkhead,
// circuit breaker, timeout as the gRPC deadline, retries, metrics) is the same for both. The answer
// comes back as payment's REST answer would: 201/200 with the payment, a problem+json refusal for
// payment's 4xx-like statuses, a transport failure (Unavailable, DeadlineExceeded, Unknown) else.
// A call never blocks the event loop: gRPC (in the module, grpc_module.hpp) completes it on its own
// threads, and the coroutine resumes on `io`. Nothing here includes gRPC's headers or links gRPC.
#pragma once

#include <string>

#include "kit/service/dependency.hpp"
#include "systems/hotel/payment/grpc_module.hpp"

namespace reservo::hotel::booking {

// Makes every later call of `payment` go over gRPC to `target` ("host:port"), through `api`.
void UsePaymentOverGrpc(const ReservoHotelGrpcApi& api, service::Dependency& payment, boost::asio::io_context& io,
                        const std::string& target);

}  // namespace reservo::hotel::booking
