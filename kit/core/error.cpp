#include "kit/core/error.hpp"

namespace reservo {

std::string_view CodeName(Code code) {
    switch (code) {
        case Code::kOk:
            return "OK";
        case Code::kInvalidArgument:
            return "INVALID_ARGUMENT";
        case Code::kNotFound:
            return "NOT_FOUND";
        case Code::kAlreadyExists:
            return "ALREADY_EXISTS";
        case Code::kFailedPrecondition:
            return "FAILED_PRECONDITION";
        case Code::kAborted:
            return "ABORTED";
        case Code::kPayloadTooLarge:
            return "PAYLOAD_TOO_LARGE";
        case Code::kResourceExhausted:
            return "RESOURCE_EXHAUSTED";
        case Code::kUnavailable:
            return "UNAVAILABLE";
        case Code::kDeadlineExceeded:
            return "DEADLINE_EXCEEDED";
        case Code::kUnknown:
            return "UNKNOWN";
        case Code::kInternal:
            return "INTERNAL";
    }
    return "UNKNOWN";
}

bool IsTransient(Code code) {
    return code == Code::kUnavailable || code == Code::kDeadlineExceeded || code == Code::kUnknown ||
           code == Code::kAborted || code == Code::kResourceExhausted;
}

}  // namespace reservo
