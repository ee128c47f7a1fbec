#include "systems/hotel/payment/grpc_contract.hpp"

#include "kit/core/try.hpp"
#include "kit/service/plugin.hpp"
#include "kit/service/topology.hpp"

namespace reservo::hotel::pay {

Result<int> GrpcPort(const Config& system) {
    if (!system.Find("services.payment.grpc-port")) {
        return Fail(Code::kInvalidArgument, "services.payment.grpc-port: not set; payment serves no gRPC without it");
    }
    return static_cast<int>(RESERVO_TRY(system.RequireInt("services.payment.grpc-port")));
}

Result<std::string> GrpcTarget(const Config& system) {
    const int port = RESERVO_TRY(GrpcPort(system));
    const int base = static_cast<int>(system.GetInt("runtime.port-base", -1));
    std::string url = RESERVO_TRY(service::UrlOf(system, "payment", base));  // http://host[:port][/path]
    std::string_view rest(url);
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
    rest = rest.substr(0, rest.find('/'));
    std::string_view host = rest;
    if (host.starts_with('[')) {
        host = host.substr(0, host.find(']') + 1);  // [v6]
    } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    return std::string(host) + ":" + std::to_string(port);
}

Result<const ReservoHotelGrpcApi*> LoadGrpcModule() {
    void* entry = RESERVO_TRY(service::LoadSymbol(kHotelGrpcModule, kHotelGrpcEntry));
    const ReservoHotelGrpcApi* api = reinterpret_cast<ReservoHotelGrpcEntry>(entry)();
    if (api == nullptr || api->version != kReservoHotelGrpcApiVersion) {
        return Fail(Code::kFailedPrecondition, "module " + service::ModulePath(kHotelGrpcModule) +
                                                   " is of another build (its interface version differs)");
    }
    return api;
}

}  // namespace reservo::hotel::pay
