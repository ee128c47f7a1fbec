// The error model of every Reservo layer: a canonical code plus a human message.
//
// Business rejections and infrastructure failures are values, never exceptions:
//
//   Result<Lot> TakeDose(Lot lot) {
//       if (lot.qty == 0) return Fail(Code::kFailedPrecondition, "no doses left");
//       ...
//   }
//
// The code decides retries, circuit-breaker accounting and the HTTP status; the mapping
// to HTTP lives in exactly one place (kit/http/problem.cpp).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace reservo {

enum class Code {
    kOk = 0,
    kInvalidArgument,     // malformed or invalid input (400)
    kNotFound,            // unknown id (404)
    kAlreadyExists,       // duplicate create (409)
    kFailedPrecondition,  // a business rule refused it (409)
    kAborted,             // concurrency conflict (409)
    kPayloadTooLarge,     // body over the limit (413)
    kResourceExhausted,   // rate limited or bulkhead full (429)
    kUnavailable,         // dependency down or circuit open (503)
    kDeadlineExceeded,    // no answer before the deadline: the outcome is unknown (504)
    kUnknown,             // the request may or may not have taken effect (504)
    kInternal,            // a bug or a broken invariant (500)
};

std::string_view CodeName(Code code);

// Whether a failure with this code may succeed if simply tried again later.
bool IsTransient(Code code);

struct Error {
    Code code = Code::kInternal;
    std::string message;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Code code, std::string message) {
    return std::unexpected<Error>(Error{code, std::move(message)});
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

inline Status Ok() { return {}; }

}  // namespace reservo
