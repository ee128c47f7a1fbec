#include "kit/resilience/retry.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace reservo {

Millis RetryPolicy::Backoff(int retry) const {
    if (retry < 1 || backoff <= Millis{0}) return Millis{0};
    const double cap = static_cast<double>(std::max(max_backoff, backoff).count());
    // Grow in floating point and cap before converting, so large retry numbers cannot overflow.
    const double delay = static_cast<double>(backoff.count()) * std::pow(std::max(multiplier, 1.0), retry - 1);
    return Millis{static_cast<Millis::rep>(std::llround(std::min(delay, cap)))};
}

Millis RetryPolicy::Backoff(int retry, double unit_random) const {
    const double nominal = static_cast<double>(Backoff(retry).count());
    const double u = std::clamp(unit_random, 0.0, 1.0);
    const double j = std::clamp(jitter, 0.0, 1.0);
    return Millis{static_cast<Millis::rep>(std::llround(nominal * (1.0 - j * u)))};
}

bool RetryPolicy::MayRetry(int attempts_made, Code code) const {
    return attempts_made < max_attempts && IsTransient(code);
}

Status RetryPolicy::Validate() const {
    if (max_attempts < 1) return Fail(Code::kInvalidArgument, "retry.max-attempts must be at least 1");
    if (backoff < Millis{0}) return Fail(Code::kInvalidArgument, "retry.backoff-ms must not be negative");
    if (multiplier < 1) return Fail(Code::kInvalidArgument, "retry.multiplier must be at least 1");
    if (max_backoff < backoff) return Fail(Code::kInvalidArgument, "retry.max-backoff-ms must be at least backoff-ms");
    if (jitter < 0 || jitter > 1) return Fail(Code::kInvalidArgument, "retry.jitter must be in [0, 1]");
    if (budget_percent < 0 || budget_percent > 100) {
        return Fail(Code::kInvalidArgument, "retry.budget-percent must be in [0, 100]");
    }
    return Ok();
}

RetryBudget::RetryBudget(RetryBudgetOptions options, TimeSource now)
    : options_(std::move(options)), now_(now ? std::move(now) : SteadyTime()) {
    options_.percent = std::max(options_.percent, 0.0);
    options_.min_retries = std::max(options_.min_retries, 0);
    origin_ = now_();
    slice_ = std::max<SteadyClock::duration>(options_.window / kBuckets, SteadyClock::duration{1});
}

// The bucket of the current slice, emptied if it last counted a slice that has left the window.
RetryBudget::Bucket& RetryBudget::Current() {
    const int64_t epoch = std::max<int64_t>((now_() - origin_) / slice_, 0);
    Bucket& bucket = buckets_[static_cast<size_t>(epoch % kBuckets)];
    if (bucket.epoch != epoch) bucket = Bucket{epoch, 0, 0};
    return bucket;
}

void RetryBudget::OnRequest() { ++Current().requests; }

void RetryBudget::OnRetry() { ++Current().retries; }

double RetryBudget::Balance() {
    const int64_t now_epoch = Current().epoch;
    uint64_t requests = 0;
    uint64_t retries = 0;
    for (const Bucket& bucket : buckets_) {
        if (bucket.epoch > now_epoch - kBuckets && bucket.epoch <= now_epoch) {
            requests += bucket.requests;
            retries += bucket.retries;
        }
    }
    return options_.min_retries + options_.percent * static_cast<double>(requests) / 100.0 -
           static_cast<double>(retries);
}

bool RetryBudget::CanRetry() {
    if (Balance() >= 1.0 - 1e-9) return true;  // tolerate rounding in percent·requests/100
    ++exhausted_;
    return false;
}

bool RetryBudget::TryRetry() {
    if (!CanRetry()) return false;
    OnRetry();
    return true;
}

}  // namespace reservo
