// The interface of libreservo_hotel_grpc.so, the module holding all of hotel's gRPC code (the
// generated payment.proto code, payment's server, reservation's client, the status mapping) and
// the only thing that links libgrpc++/libprotobuf. Processes load it (kit/service/plugin.hpp)
// only when configured for gRPC — payment with `services.payment.grpc-port`, reservation with
// `dependencies.payment.transport: grpc` — so no other process maps gRPC at all.
//
//   auto* api = RESERVO_TRY(pay::LoadGrpcModule());        // grpc_contract.hpp: dlopen, once
//   ReservoPayServer* server = api->serve("127.0.0.1:9283", 1, &OnCall, this, &port, err, sizeof err);
//
// The interface is plain C data and function pointers: the module shares no C++ type, no global
// (logger, trace, deadline) and no symbol with the executable, and needs nothing from it.
// Strings passed in either direction are NUL-terminated and valid only during the call; the
// receiver copies what it keeps. Callbacks run on gRPC's threads and must not block.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kit/core/error.hpp"  // Code, an enum: nothing to link

extern "C" {

// Payment's PayRequest (payment.proto).
struct ReservoPayRequest {
    int64_t reservation_id;
    const char* user_id;
    int64_t amount;
    const char* pay_method;
};

// What a Pay call came to: `code` a reservo::Code (kit/core/error.hpp) and `message` its detail;
// with kOk, the payment and whether it was made now (else a repeat answered again).
struct ReservoPayOutcome {
    int code;
    const char* message;
    int64_t id;
    int64_t reservation_id;
    const char* user_id;
    int64_t amount;
    const char* pay_method;
    const char* pay_status;
    const char* pay_date;
    int created;
};

struct ReservoPayServer;   // payment's gRPC server
struct ReservoPayCall;     // one call it received, until answered
struct ReservoPayChannel;  // reservation's channel to payment

// A call arrived (on a gRPC thread). `deadline_unix_ns`: the caller's deadline on the system
// clock, 0 for none. The receiver answers `call` exactly once, from any thread.
typedef void (*ReservoPayOnCall)(void* user, ReservoPayCall* call, const ReservoPayRequest* request,
                                 int64_t deadline_unix_ns, const char* traceparent);
// A Pay call made through a channel finished (on a gRPC thread).
typedef void (*ReservoPayDone)(void* user, const ReservoPayOutcome* outcome);

inline constexpr uint32_t kReservoHotelGrpcApiVersion = 1;

struct ReservoHotelGrpcApi {
    uint32_t version;  // kReservoHotelGrpcApiVersion of the module's build

    // Listens on `address` ("host:port"; SO_REUSEPORT when `reuse_port`) and hands each Pay call
    // to `on_call`. Null when it cannot bind: `error` says why. `*port`: the port bound.
    ReservoPayServer* (*serve)(const char* address, int reuse_port, ReservoPayOnCall on_call, void* user, int* port,
                               char* error, size_t error_size);
    // Answers `call` (then gone) with `outcome`; returns the gRPC status code's name ("OK", ...).
    const char* (*answer)(ReservoPayCall* call, const ReservoPayOutcome* outcome);
    // Stops taking calls; those in flight have until `by_unix_ns` to be answered, then are
    // cancelled. Returns at once (the shutdown waits for answers, which come from the caller's loop).
    void (*shutdown)(ReservoPayServer* server, int64_t by_unix_ns);
    // Shuts down now if not yet, waits until every call is answered, frees the server.
    void (*destroy)(ReservoPayServer* server);

    // A channel to payment at `target` ("host:port"); it connects lazily and reconnects quickly.
    ReservoPayChannel* (*connect)(const char* target);
    // Calls Pay with a deadline `timeout_ms` from now; `done(user, outcome)` follows exactly once.
    // A transport failure is kUnavailable, kDeadlineExceeded or kUnknown.
    void (*pay)(ReservoPayChannel* channel, const ReservoPayRequest* request, int64_t timeout_ms,
                const char* traceparent, ReservoPayDone done, void* user);
    // Cancels the calls in flight, waits for their `done`, frees the channel.
    void (*disconnect)(ReservoPayChannel* channel);
};

// The module's one exported symbol (kHotelGrpcEntry).
typedef const ReservoHotelGrpcApi* (*ReservoHotelGrpcEntry)();
}

namespace reservo::hotel::pay {

inline constexpr char kHotelGrpcModule[] = "libreservo_hotel_grpc.so";
inline constexpr char kHotelGrpcEntry[] = "reservo_hotel_grpc_api";

// The module's table, for code linked with the module's objects directly (its tests).
const ReservoHotelGrpcApi* HotelGrpcApi();

// The kit's error codes as gRPC status codes (grpc::StatusCode values), and back; inside the
// module only. kInvalidArgument ↔ INVALID_ARGUMENT, kNotFound ↔ NOT_FOUND, kAlreadyExists ↔
// ALREADY_EXISTS, kFailedPrecondition ↔ FAILED_PRECONDITION, kAborted ↔ ABORTED,
// kResourceExhausted ↔ RESOURCE_EXHAUSTED (also kPayloadTooLarge →), kUnavailable ↔ UNAVAILABLE,
// kDeadlineExceeded ↔ DEADLINE_EXCEEDED, kUnknown ↔ UNKNOWN (also ← CANCELLED: the outcome is not
// known), kInternal ↔ INTERNAL (also ← the codes the kit does not use).
int GrpcCodeOf(Code code);
Code CodeOfGrpc(int grpc_code);

}  // namespace reservo::hotel::pay
