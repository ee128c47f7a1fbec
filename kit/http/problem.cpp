#include "kit/http/problem.hpp"

#include <boost/json.hpp>

#include "kit/http/wire.hpp"

namespace reservo::http {
namespace {

// The title of a problem with no title of its own: the status's reason phrase.
std::string_view TitleOf(int status) {
    const std::string_view phrase = ReasonPhrase(status);
    return phrase.empty() ? "Error" : phrase;
}

}  // namespace

int HttpStatusOf(Code code) {
    switch (code) {
        case Code::kOk:
            return 200;
        case Code::kInvalidArgument:
            return 400;
        case Code::kNotFound:
            return 404;
        case Code::kAlreadyExists:
        case Code::kFailedPrecondition:
        case Code::kAborted:
            return 409;
        case Code::kPayloadTooLarge:
            return 413;
        case Code::kResourceExhausted:
            return 429;
        case Code::kUnavailable:
            return 503;
        case Code::kDeadlineExceeded:
        case Code::kUnknown:
            return 504;
        case Code::kInternal:
            return 500;
    }
    return 500;
}

Code CodeOfHttpStatus(int status) {
    if (status < 400) return Code::kOk;
    switch (status) {
        case 400:
            return Code::kInvalidArgument;
        case 404:
            return Code::kNotFound;
        case 409:
            return Code::kFailedPrecondition;
        case 413:
            return Code::kPayloadTooLarge;
        case 429:
            return Code::kResourceExhausted;
        case 504:
            return Code::kDeadlineExceeded;
        default:
            return status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
    }
}

Response Problem(int status, std::string_view title, std::string detail) {
    boost::json::object body{{"type", "about:blank"},
                             {"title", title.empty() ? TitleOf(status) : title},
                             {"status", status},
                             {"detail", std::move(detail)}};
    Response r = JsonResponse(status, body);
    r.headers.Set("Content-Type", "application/problem+json");
    return r;
}

Response ProblemFrom(const Error& error) {
    int status = HttpStatusOf(error.code);
    if (status == 503) return Unavailable(error.message, 1000);
    return Problem(status, TitleOf(status), error.message);
}

Response Unavailable(std::string detail, int retry_after_ms) {
    Response r = Problem(503, TitleOf(503), std::move(detail));
    r.headers.Set("Retry-After", std::to_string(std::max(1, (retry_after_ms + 999) / 1000)));
    return r;
}

}  // namespace reservo::http
