#include "kit/core/deadline.hpp"

#include <algorithm>
#include <charconv>

namespace reservo::deadline {
namespace {

thread_local std::optional<Time> g_current;

}  // namespace

std::optional<Time> FromHeader(std::optional<std::string_view> unix_millis) {
    if (!unix_millis) return std::nullopt;
    int64_t at = 0;
    auto [p, ec] = std::from_chars(unix_millis->data(), unix_millis->data() + unix_millis->size(), at);
    if (ec != std::errc() || p != unix_millis->data() + unix_millis->size() || at <= 0) return std::nullopt;
    // Wall clock to steady clock once, here; everything after measures with the steady clock.
    return SteadyClock::now() + Millis(at - NowUnixMillis());
}

std::string ToHeader(Time deadline) {
    auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
    return std::to_string(NowUnixMillis() + left.count());
}

std::optional<Time> Current() { return g_current; }

void SetCurrent(std::optional<Time> deadline) { g_current = deadline; }

bool Expired() { return g_current && SteadyClock::now() >= *g_current; }

Millis Remaining(Millis cap) {
    if (!g_current) return cap;
    auto left = std::chrono::duration_cast<Millis>(*g_current - SteadyClock::now());
    return std::clamp(left, Millis(0), cap);
}

Scope::Scope(std::optional<Time> deadline) : previous_(g_current) { g_current = deadline; }

Scope::~Scope() { g_current = previous_; }

}  // namespace reservo::deadline
