#include "systems/hotel/payment/grpc_contract.hpp"

#include <grpcpp/support/status_code_enum.h>

#include "kit/core/try.hpp"
#include "kit/service/topology.hpp"

namespace reservo::hotel::pay {

Result<int> GrpcPort(const Config& system) {
    if (system.Find("services.payment.grpc-port"))
        return static_cast<int>(RESERVO_TRY(system.RequireInt("services.payment.grpc-port")));
    const int base = static_cast<int>(system.GetInt("runtime.port-base", -1));
    const int http = RESERVO_TRY(service::PortOf(system, "payment", base));
    if (http + kGrpcPortOffset > 65535) {
        return Fail(Code::kInvalidArgument, "services.payment.grpc-port: payment's HTTP port " + std::to_string(http) +
                                                " + " + std::to_string(kGrpcPortOffset) +
                                                " is no port; set services.payment.grpc-port");
    }
    return http + kGrpcPortOffset;
}

Result<std::string> GrpcTarget(const Config& system) {
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
    return std::string(host) + ":" + std::to_string(RESERVO_TRY(GrpcPort(system)));
}

int GrpcCodeOf(Code code) {
    grpc::StatusCode out = grpc::StatusCode::INTERNAL;
    switch (code) {
        case Code::kOk:
            out = grpc::StatusCode::OK;
            break;
        case Code::kInvalidArgument:
            out = grpc::StatusCode::INVALID_ARGUMENT;
            break;
        case Code::kNotFound:
            out = grpc::StatusCode::NOT_FOUND;
            break;
        case Code::kAlreadyExists:
            out = grpc::StatusCode::ALREADY_EXISTS;
            break;
        case Code::kFailedPrecondition:
            out = grpc::StatusCode::FAILED_PRECONDITION;
            break;
        case Code::kAborted:
            out = grpc::StatusCode::ABORTED;
            break;
        case Code::kPayloadTooLarge:
        case Code::kResourceExhausted:
            out = grpc::StatusCode::RESOURCE_EXHAUSTED;
            break;
        case Code::kUnavailable:
            out = grpc::StatusCode::UNAVAILABLE;
            break;
        case Code::kDeadlineExceeded:
            out = grpc::StatusCode::DEADLINE_EXCEEDED;
            break;
        case Code::kUnknown:
            out = grpc::StatusCode::UNKNOWN;
            break;
        case Code::kInternal:
            out = grpc::StatusCode::INTERNAL;
            break;
    }
    return static_cast<int>(out);
}

Code CodeOfGrpc(int grpc_code) {
    switch (static_cast<grpc::StatusCode>(grpc_code)) {
        case grpc::StatusCode::OK:
            return Code::kOk;
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::OUT_OF_RANGE:
            return Code::kInvalidArgument;
        case grpc::StatusCode::NOT_FOUND:
            return Code::kNotFound;
        case grpc::StatusCode::ALREADY_EXISTS:
            return Code::kAlreadyExists;
        case grpc::StatusCode::FAILED_PRECONDITION:
            return Code::kFailedPrecondition;
        case grpc::StatusCode::ABORTED:
            return Code::kAborted;
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return Code::kResourceExhausted;
        case grpc::StatusCode::UNAVAILABLE:
            return Code::kUnavailable;
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return Code::kDeadlineExceeded;
        case grpc::StatusCode::UNKNOWN:
        case grpc::StatusCode::CANCELLED:
            return Code::kUnknown;
        default:
            return Code::kInternal;  // UNIMPLEMENTED, UNAUTHENTICATED, PERMISSION_DENIED, DATA_LOSS, INTERNAL
    }
}

}  // namespace reservo::hotel::pay
