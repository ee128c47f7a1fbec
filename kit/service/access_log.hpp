// The access log: one line per answered request, in the same shape for every service (written by
// the service host) and the gateway (which adds the service it proxied to). On unless
// `logging.access: false` (RESERVO_LOGGING_ACCESS=false).
//
//   LogAccess(req, res, SteadyClock::now() - start, request_id, {{"upstream", "reservation"}});
//
//   {"ts":"2026-01-31T12:00:00.123Z","level":"info","pid":4103,"service":"vaccine/reservation","msg":"access",
//    "method":"POST","path":"/reservations","route":"/reservations","status":201,"durationMs":1.734,
//    "bytesOut":312,"client":"127.0.0.1","requestId":"9f1c2e…","trace_id":"4bf92f…","span_id":"00f067…"}
//
// The path goes without its query (which may carry what a log should not keep); `route` is the
// pattern that matched, when one did. Actuator requests (probes, scrapes) are logged at debug.
#pragma once

#include <initializer_list>
#include <string_view>

#include "kit/core/clock.hpp"
#include "kit/core/log.hpp"
#include "kit/http/message.hpp"

namespace reservo::service {

// `request_id`: the X-Request-Id the request carried (or the gateway gave it); none when empty.
// `extra` fields go after the common ones (one with empty text is left out). The current trace
// (trace::Current) adds trace_id and span_id.
void LogAccess(const http::Request& req, const http::Response& res, SteadyClock::duration took,
               std::string_view request_id, std::initializer_list<log::Field> extra = {});

}  // namespace reservo::service
