// What both sides of payment's gRPC API (payment.proto) agree on, without gRPC's headers: where
// payment serves it, and the kit's error codes as gRPC status codes.
//
//   int port = RESERVO_TRY(pay::GrpcPort(config));           // payment: listen here
//   std::string to = RESERVO_TRY(pay::GrpcTarget(config));   // reservation: "127.0.0.1:9283"
//   grpc::Status st(static_cast<grpc::StatusCode>(pay::GrpcCodeOf(error.code)), error.message);
#pragma once

#include <string>

#include "kit/core/config.hpp"
#include "kit/core/error.hpp"

namespace reservo::hotel::pay {

// The default gRPC port is payment's HTTP port (from the system's port base) plus this.
inline constexpr int kGrpcPortOffset = 1000;

// Where payment serves gRPC: `services.payment.grpc-port`, else its HTTP port + kGrpcPortOffset.
Result<int> GrpcPort(const Config& system);
// How another process of the system reaches it: "host:port", the host of payment's URL
// (`services.payment.url`, else runtime.bind-address as UrlOf reads it) and GrpcPort.
Result<std::string> GrpcTarget(const Config& system);

// The gRPC status code (a grpc::StatusCode value) of a kit error code, and back. One place for
// both directions: kInvalidArgument ↔ INVALID_ARGUMENT, kNotFound ↔ NOT_FOUND, kAlreadyExists ↔
// ALREADY_EXISTS, kFailedPrecondition ↔ FAILED_PRECONDITION, kAborted ↔ ABORTED,
// kResourceExhausted ↔ RESOURCE_EXHAUSTED (also kPayloadTooLarge →), kUnavailable ↔ UNAVAILABLE,
// kDeadlineExceeded ↔ DEADLINE_EXCEEDED, kUnknown ↔ UNKNOWN (also ← CANCELLED: the outcome is not
// known), kInternal ↔ INTERNAL (also ← the codes the kit does not use).
int GrpcCodeOf(Code code);
Code CodeOfGrpc(int grpc_code);

}  // namespace reservo::hotel::pay
