// What both sides of payment's gRPC API (payment.proto) agree on, on the executable's side: where
// payment serves it, and the module that speaks it (grpc_module.hpp), loaded on first use.
//
//   int port = RESERVO_TRY(pay::GrpcPort(config));           // payment: listen here
//   std::string to = RESERVO_TRY(pay::GrpcTarget(config));   // reservation: "127.0.0.1:9283"
//   const ReservoHotelGrpcApi* api = RESERVO_TRY(pay::LoadGrpcModule());
#pragma once

#include <string>

#include "kit/core/config.hpp"
#include "kit/core/error.hpp"
#include "systems/hotel/payment/grpc_module.hpp"

namespace reservo::hotel::pay {

// Where payment serves gRPC: `services.payment.grpc-port`. There is no default: unset, payment
// serves no gRPC and loads no gRPC code.
Result<int> GrpcPort(const Config& system);
// How another process of the system reaches it: "host:port", the host of payment's URL
// (`services.payment.url`, else runtime.bind-address as UrlOf reads it) and GrpcPort.
Result<std::string> GrpcTarget(const Config& system);

// libreservo_hotel_grpc.so from beside the executable (kit/service/plugin.hpp), and its table;
// fails, naming the file and dlerror(), when it is missing, broken or of another build.
Result<const ReservoHotelGrpcApi*> LoadGrpcModule();

}  // namespace reservo::hotel::pay
