// Completion handlers for asio::co_spawn that never swallow an exception.
//
// `asio::detached` drops whatever escapes a coroutine, so a loop that dies (the event pump, a
// periodic task, a drain timer) would stop without a word. Spawn with LogFailure instead: what
// escaped is logged with what was running, and `on_failure` (if any) hears why, e.g. to turn
// readiness DOWN:
//
//   asio::co_spawn(io, EventPump(), LogFailure("event pump", [&](const std::string& why) {
//       ctx.SetProblem("consumer", "the consumer loop stopped: " + why);
//   }));
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "kit/core/log.hpp"

namespace reservo::service {

// The exception's what(), or a placeholder for one that is not a std::exception.
inline std::string DescribeException(std::exception_ptr e) {
    if (!e) return "no exception";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

// A co_spawn completion handler: logs an escaped exception as an error naming `what`, then calls
// `on_failure` with its description. A coroutine that returns normally is not reported.
inline std::function<void(std::exception_ptr)> LogFailure(std::string what,
                                                          std::function<void(const std::string&)> on_failure = {}) {
    return [what = std::move(what), on_failure = std::move(on_failure)](std::exception_ptr e) {
        if (!e) return;
        std::string why = DescribeException(e);
        log::Error("background task failed", {{"task", what}, {"error", why}});
        if (on_failure) on_failure(why);
    };
}

}  // namespace reservo::service
