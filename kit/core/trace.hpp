// W3C trace context for one service process: the `traceparent` of the work being done now.
//
// The service host sets it when a request or an event arrives; code that publishes an event or
// calls a dependency reads it, so one trace id follows a reservation from the gateway through
// synchronous calls and events. Each process runs one event loop, so "now" is well defined
// between suspensions; code that suspends (a dependency call) restores it when it resumes.
//
//   trace::Scope scope(req.headers.Find("traceparent"));   // or a fresh trace when absent/invalid
//   event.traceparent = trace::Current();
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reservo::trace {

// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, as W3C Trace Context defines it.
bool IsValid(std::string_view traceparent);
// A new trace with a random trace id and span id.
std::string NewTraceparent();
// The same trace with a new span id (for an outgoing call).
std::string ChildOf(std::string_view traceparent);

const std::string& Current();
void SetCurrent(std::string traceparent);

// Sets the current trace for a scope and restores the previous one after.
class Scope final {
  public:
    explicit Scope(std::optional<std::string_view> incoming);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

  private:
    std::string previous_;
};

}  // namespace reservo::trace
