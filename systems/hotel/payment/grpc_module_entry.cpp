// The module's one exported symbol (grpc_module.hpp): everything else is hidden.
#include "systems/hotel/payment/grpc_module.hpp"

extern "C" __attribute__((visibility("default"))) const ReservoHotelGrpcApi* reservo_hotel_grpc_api() {
    return reservo::hotel::pay::HotelGrpcApi();
}
