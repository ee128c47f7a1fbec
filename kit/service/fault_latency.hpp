// The latency of fault injection (`POST /actuator/faults {"latencyMs":[lo,hi],"latencyPer":...}`),
// which reproduces the seeds' overload experiments: how long a request is held before it is served.
//
//   FaultLatency latency(FaultLatency::Per::kIdempotencyKey);
//   SteadyClock::time_point until = latency.Until(req.headers.Find("Idempotency-Key"), now, drawn);
//
// Per request (the default), every request is held for its own drawn delay.
// Per Idempotency-Key, the delay stands for the work the key names, as the seed's delay sits in
// persisting new work (`Thread.sleep` in `@PrePersist`): requests with the same key are one piece
// of work, delayed once. A repeat that arrives while that work is in flight is held until the
// same moment, as a service joining the work in flight (or blocked on its lock) would be; one
// that arrives after it is not held, as a service that finds the work done does none. Every first
// request still pays a full delay, and a request without the key is always its own work.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kit/core/clock.hpp"

namespace reservo::service {

class FaultLatency final {
  public:
    enum class Per { kRequest, kIdempotencyKey };

    FaultLatency() = default;
    explicit FaultLatency(Per per) : per_(per) {}

    // Until when a request arriving at `now` with `key` is held, `drawn` being a fresh delay.
    SteadyClock::time_point Until(std::optional<std::string_view> key, SteadyClock::time_point now, Millis drawn);

    Per per() const { return per_; }
    size_t remembered() const { return ends_.size(); }

  private:
    // A key's work is remembered this long after it ended; a repeat after that is new work.
    static constexpr Millis kRemember{60'000};

    Per per_ = Per::kRequest;
    std::unordered_map<std::string, SteadyClock::time_point> ends_;  // key → end of its delay
    size_t prune_at_ = 1024;
};

}  // namespace reservo::service
