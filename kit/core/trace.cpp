#include "kit/core/trace.hpp"

#include "kit/core/clock.hpp"

namespace reservo::trace {
namespace {

thread_local std::string g_current;

bool IsLowerHex(std::string_view s) {
    bool nonzero = false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        nonzero = nonzero || c != '0';
    }
    return nonzero;
}

}  // namespace

bool IsValid(std::string_view t) {
    return t.size() == 55 && t.substr(0, 3) == "00-" && t[35] == '-' && t[52] == '-' && IsLowerHex(t.substr(3, 32)) &&
           IsLowerHex(t.substr(36, 16)) && (t.substr(53, 2) == "00" || t.substr(53, 2) == "01");
}

std::string NewTraceparent() { return "00-" + RandomHexId(16) + "-" + RandomHexId(8) + "-01"; }

std::string ChildOf(std::string_view parent) {
    if (!IsValid(parent)) return NewTraceparent();
    return std::string(parent.substr(0, 36)) + RandomHexId(8) + std::string(parent.substr(52));
}

const std::string& Current() { return g_current; }

void SetCurrent(std::string traceparent) { g_current = std::move(traceparent); }

Scope::Scope(std::optional<std::string_view> incoming) : previous_(std::move(g_current)) {
    g_current = incoming && IsValid(*incoming) ? std::string(*incoming) : NewTraceparent();
}

Scope::~Scope() { g_current = std::move(previous_); }

}  // namespace reservo::trace
