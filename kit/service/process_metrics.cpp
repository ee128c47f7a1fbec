#include "kit/service/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace reservo::service {
namespace {

// Seconds since the epoch at which the machine booted (`btime` in /proc/stat).
std::optional<double> BootTime() {
    std::ifstream in("/proc/stat");
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime" && in >> value) return value;
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> ReadProcessStats() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name, field 2, is in parentheses and may hold spaces: fields count from after it.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> fields;  // fields[0] is field 3 (state)
    for (std::string f; rest >> f;) fields.push_back(std::move(f));
    if (fields.size() < 22) return std::nullopt;
    auto field = [&](int number) { return std::stod(fields[static_cast<size_t>(number - 3)]); };
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    ProcessStats s;
    s.cpu_seconds = (field(14) + field(15)) / ticks;  // utime + stime
    s.virtual_bytes = field(23);
    s.resident_bytes = field(24) * page;
    if (auto boot = BootTime()) s.start_time_seconds = *boot + field(22) / ticks;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        s.open_fds += 1;
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) s.max_fds = static_cast<double>(limit.rlim_cur);
    return s;
}

void AddProcessMetrics(Metrics& metrics) {
    auto read = [](double ProcessStats::*field) {
        return [field] {
            auto s = ReadProcessStats();
            return s ? (*s).*field : 0.0;
        };
    };
    metrics.CounterFrom("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {},
                        read(&ProcessStats::cpu_seconds));
    metrics.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                  read(&ProcessStats::resident_bytes));
    metrics.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
                  read(&ProcessStats::virtual_bytes));
    const double start = ReadProcessStats().value_or(ProcessStats{}).start_time_seconds;  // fixed for life
    metrics.Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
                  [start] { return start; });
    metrics.Gauge("process_open_fds", "Number of open file descriptors.", {}, read(&ProcessStats::open_fds));
    metrics.Gauge("process_max_fds", "Maximum number of open file descriptors.", {}, read(&ProcessStats::max_fds));
}

}  // namespace reservo::service
