// The deadline of the work being done now, carried between processes as a header.
//
// The gateway gives every request a deadline (`X-Request-Deadline`: Unix milliseconds) a little
// before it stops waiting itself; the service host reads it, refuses work whose deadline has
// already passed (the request may have waited in a socket queue while the process was paused or
// restarting) and makes it current, so a dependency call waits no longer than the time left and
// a use case can decline to commit once nobody waits for its answer. Like trace::Current, "now"
// is one event loop's: code that suspends restores it when it resumes.
//
//   deadline::Scope scope(deadline::FromHeader(req.headers.Find(deadline::kHeader)));
//   if (deadline::Expired()) return Fail(Code::kUnavailable, "deadline passed; nothing was done");
//   auto timeout = deadline::Remaining(policy.timeout);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kit/core/clock.hpp"

namespace reservo::deadline {

inline constexpr std::string_view kHeader = "X-Request-Deadline";

using Time = SteadyClock::time_point;

// A steady-clock deadline from the header's Unix milliseconds; nullopt when absent or malformed.
std::optional<Time> FromHeader(std::optional<std::string_view> unix_millis);
// The header value for a deadline: Unix milliseconds.
std::string ToHeader(Time deadline);

std::optional<Time> Current();
void SetCurrent(std::optional<Time> deadline);

// Whether the current deadline (if any) has passed.
bool Expired();
// The time left before the current deadline, at most `cap` and never negative; `cap` without one.
Millis Remaining(Millis cap);

// Sets the current deadline for a scope and restores the previous one after.
class Scope final {
  public:
    explicit Scope(std::optional<Time> deadline);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

  private:
    std::optional<Time> previous_;
};

}  // namespace reservo::deadline
