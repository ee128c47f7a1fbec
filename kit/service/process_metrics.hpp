// The process_* metrics every Prometheus client library exports, read from /proc/self at scrape
// time: CPU seconds, resident and virtual memory, start time, open and maximum descriptors.
//
//   Metrics metrics;
//   AddProcessMetrics(metrics);
//   metrics.Render();   // process_cpu_seconds_total 0.42 ...
#pragma once

#include <optional>

#include "kit/service/metrics.hpp"

namespace reservo::service {

struct ProcessStats {
    double cpu_seconds = 0;  // user + system
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double start_time_seconds = 0;  // since the Unix epoch
    double open_fds = 0;
    double max_fds = 0;  // RLIMIT_NOFILE (soft)
};

// This process's figures; nullopt where /proc is not mounted.
std::optional<ProcessStats> ReadProcessStats();

void AddProcessMetrics(Metrics& metrics);

}  // namespace reservo::service
