#include "kit/service/fault_latency.hpp"

#include <algorithm>

namespace reservo::service {

SteadyClock::time_point FaultLatency::Until(std::optional<std::string_view> key, SteadyClock::time_point now,
                                            Millis drawn) {
    if (per_ == Per::kRequest || !key) return now + drawn;
    if (ends_.size() >= prune_at_) {
        std::erase_if(ends_, [&](const auto& entry) { return entry.second + kRemember < now; });
        prune_at_ = std::max<size_t>(1024, 2 * ends_.size());
    }
    auto [it, first] = ends_.try_emplace(std::string(*key), now + drawn);
    if (!first && it->second + kRemember < now) it->second = now + drawn;  // forgotten: new work
    return it->second;
}

}  // namespace reservo::service
