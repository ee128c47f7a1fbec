// A counting bulkhead: caps the calls in flight to one dependency, so a slow dependency ties
// up at most `max_concurrent` of the caller's connections and the rest fail fast.
//
//   Bulkhead bulkhead(policy.bulkhead);
//   auto permit = bulkhead.TryAcquire();
//   if (!permit) return Fail(Code::kResourceExhausted, "vaccine-mgmt bulkhead full");
//   co_await Call(...);  // the permit leaves the bulkhead when it goes out of scope
//
// Single-threaded by design (one event loop per service). A Permit must not outlive its Bulkhead.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

namespace reservo {

class Bulkhead final {
  public:
    // One call inside the bulkhead; leaves it when destroyed. Move-only.
    class Permit final {
      public:
        Permit(Permit&& other) noexcept : bulkhead_(std::exchange(other.bulkhead_, nullptr)) {}
        Permit& operator=(Permit&& other) noexcept {
            if (this != &other) {
                Release();
                bulkhead_ = std::exchange(other.bulkhead_, nullptr);
            }
            return *this;
        }
        Permit(const Permit&) = delete;
        Permit& operator=(const Permit&) = delete;
        ~Permit() { Release(); }

        // Leaves the bulkhead now rather than at destruction.
        void Release() {
            if (bulkhead_ != nullptr) std::exchange(bulkhead_, nullptr)->Leave();
        }

      private:
        friend class Bulkhead;
        explicit Permit(Bulkhead* bulkhead) : bulkhead_(bulkhead) {}
        Bulkhead* bulkhead_;
    };

    // A limit below 1 is raised to 1.
    explicit Bulkhead(int max_concurrent) : max_concurrent_(std::max(max_concurrent, 1)) {}

    // Enters if a slot is free; every true must be matched by one Leave().
    bool TryEnter() {
        if (in_flight_ >= max_concurrent_) {
            ++rejected_;
            return false;
        }
        ++in_flight_;
        ++entered_;
        return true;
    }
    void Leave() {
        if (in_flight_ > 0) --in_flight_;
    }

    // TryEnter() with the Leave() tied to the permit's lifetime.
    std::optional<Permit> TryAcquire() {
        if (!TryEnter()) return std::nullopt;
        return Permit(this);
    }

    int in_flight() const { return in_flight_; }
    int max_concurrent() const { return max_concurrent_; }
    uint64_t entered() const { return entered_; }    // calls let in, for metrics
    uint64_t rejected() const { return rejected_; }  // calls turned away, for metrics

  private:
    int max_concurrent_;
    int in_flight_ = 0;
    uint64_t entered_ = 0;
    uint64_t rejected_ = 0;
};

}  // namespace reservo
