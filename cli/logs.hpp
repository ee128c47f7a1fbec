// `reservo logs`: the logs of a running `reservo up`, every process's file merged into one stream
// ordered by time, each line prefixed with its process.
//
// Each process of `up` appends its stdout and stderr to DATA/<system>/logs/<process>.log (the
// `log` field of `reservo status --json`); its records are JSON lines that start with
// `{"ts":"2026-01-31T12:00:00.123Z",...,"pid":N` (kit/core/log.cpp). A line without a time stamp
// (a crash message) takes the time of the line before it in its file. The replicas of a service
// share its file; their lines are told apart by pid.
//
//   auto since = ParseSince("5m", WallClock::now());  // or "2026-01-31T12:00:00Z"
//   LogsOptions options{.data_dir = "/srv/data", .filter = "vaccine/reservation", .since = *since};
//   return RunLogs(options, std::cout, stop_flag);
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/error.hpp"

namespace reservo::cli {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// A duration back from `now` ("30s", "5m", "1h30m", "2d", "500ms") or an ISO-8601 time
// ("2026-01-31T12:00:00Z", "...T12:00:00.250+01:00", "2026-01-31 12:00" local, "2026-01-31").
// kInvalidArgument says what is accepted.
Result<WallTime> ParseSince(std::string_view text, WallTime now);

// An ISO-8601 time as ParseSince reads one; nullopt if `text` is not one.
std::optional<WallTime> ParseIsoTime(std::string_view text);

// The time stamp of a log record (its leading `{"ts":"..."`), or nullopt.
std::optional<WallTime> LineTime(std::string_view line);
// The `"pid":N` of a log record, or 0.
long LinePid(std::string_view line);

// One line of one source, with the time it is ordered by.
struct LogLine {
    WallTime time;
    size_t source = 0;  // index into the sources
    std::string text;   // without the newline
};

// Reads one log file incrementally: complete lines only (unless `flush`), each with its time
// (or the previous line's). A file that shrank (rotated, recreated) is read again from its start.
class LogReader final {
  public:
    LogReader(std::string path, size_t source) : path_(std::move(path)), source_(source) {}
    const std::string& path() const { return path_; }
    // Appends the lines written since the last call to `out`.
    void ReadNew(std::vector<LogLine>& out, bool flush);

  private:
    std::string path_;
    size_t source_;
    long long offset_ = 0;
    std::string partial_;
    WallTime last_{};
};

// Orders lines by time; lines of equal time keep their order (a file's own order first).
void SortByTime(std::vector<LogLine>& lines);

// "vaccine/reservation | text", the name padded to `width`, coloured (ANSI) when `colour`; the
// colour follows `colour_index`.
std::string FormatLogLine(std::string_view name, size_t width, std::string_view text, size_t colour_index, bool colour);

// "4m12s": a duration in the form `status` shows it (45s, 3m12s, 2h05m, 3d04h).
std::string FormatUptime(long long seconds);

struct LogsOptions {
    std::string data_dir;  // absolute
    std::string filter;    // "", SYSTEM or SYSTEM/SERVICE
    std::optional<WallTime> since;
    bool follow = false;
    bool colour = false;
};

// Prints the merged logs; with `follow`, goes on printing new lines (also of processes that
// start later) until `stop` becomes true. Returns the exit code: 0; 2 for a filter that names
// nothing running; 1 when no `up` runs there.
int RunLogs(const LogsOptions& options, std::ostream& out, std::ostream& err, const std::atomic<bool>& stop);

}  // namespace reservo::cli
