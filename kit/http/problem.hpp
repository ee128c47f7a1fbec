// problem+json (RFC 9457) responses, and the one mapping from error codes to HTTP statuses.
//
//   if (!lot) return ProblemFrom(lot.error());   // NotFound → 404, FailedPrecondition → 409, ...
#pragma once

#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/http/message.hpp"

namespace reservo::http {

int HttpStatusOf(Code code);
// The code a caller should see for an HTTP status returned by a dependency.
Code CodeOfHttpStatus(int status);

Response Problem(int status, std::string_view title, std::string detail);
Response ProblemFrom(const Error& error);
// A 503 with Retry-After (seconds, rounded up, at least 1).
Response Unavailable(std::string detail, int retry_after_ms);

}  // namespace reservo::http
