// Time helpers shared by the kit: monotonic durations and ISO-8601 wall-clock stamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace reservo {

using SteadyClock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// Wall-clock now as `2026-11-21T05:07:59.123Z`.
std::string NowIso8601();
// Milliseconds since the Unix epoch.
int64_t NowUnixMillis();
// A random 128-bit id as 32 lowercase hex digits (event ids, request ids).
std::string RandomHexId(size_t bytes = 16);

}  // namespace reservo
