#include "cli/logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <ctime>
#include <map>
#include <thread>

#include "cli/control.hpp"

namespace reservo::cli {

namespace bj = boost::json;

namespace {

constexpr std::string_view kSinceHelp =
    "expected a duration back from now (30s, 5m, 1h30m, 2d, 500ms) or an ISO-8601 time "
    "(2026-01-31T12:00:00Z, 2026-01-31 12:00 local time, 2026-01-31)";

// Reads `width` digits at `pos` into `value`.
bool Digits(std::string_view s, size_t& pos, size_t width, int& value) {
    if (pos + width > s.size()) return false;
    value = 0;
    for (size_t i = 0; i < width; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += width;
    return true;
}

std::optional<WallTime> ParseDuration(std::string_view text, WallTime now) {
    if (text.empty()) return std::nullopt;
    std::chrono::milliseconds total{0};
    size_t pos = 0;
    while (pos < text.size()) {
        long long amount = 0;
        auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), amount);
        if (ec != std::errc() || end == text.data() + pos || amount < 0 || amount > 100'000'000) return std::nullopt;
        pos = static_cast<size_t>(end - text.data());
        size_t unit_end = pos;
        while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) ++unit_end;
        std::string_view unit = text.substr(pos, unit_end - pos);
        pos = unit_end;
        if (unit == "ms") {
            total += std::chrono::milliseconds(amount);
        } else if (unit == "s") {
            total += std::chrono::seconds(amount);
        } else if (unit == "m") {
            total += std::chrono::minutes(amount);
        } else if (unit == "h") {
            total += std::chrono::hours(amount);
        } else if (unit == "d") {
            total += std::chrono::hours(24 * amount);
        } else {
            return std::nullopt;
        }
    }
    return now - total;
}

}  // namespace

std::optional<WallTime> ParseIsoTime(std::string_view s) {
    size_t pos = 0;
    tm t{};
    int year = 0, month = 0, day = 0;
    if (!Digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, month) ||
        pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, day)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    int hour = 0, minute = 0, second = 0;
    long millis = 0;
    if (pos < s.size()) {
        if (s[pos] != 'T' && s[pos] != ' ' && s[pos] != 't') return std::nullopt;
        ++pos;
        if (!Digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' || !Digits(s, pos, 2, minute)) {
            return std::nullopt;
        }
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!Digits(s, pos, 2, second)) return std::nullopt;
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                size_t start = pos;
                long scale = 100;
                while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
                    millis += (s[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start) return std::nullopt;
            }
        }
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    }
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    time_t epoch = 0;
    if (pos == s.size()) {  // no zone: local time
        t.tm_isdst = -1;
        epoch = ::mktime(&t);
    } else if (s[pos] == 'Z' || s[pos] == 'z') {
        if (pos + 1 != s.size()) return std::nullopt;
        epoch = ::timegm(&t);
    } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int off_h = 0, off_m = 0;
        if (!Digits(s, pos, 2, off_h)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !Digits(s, pos, 2, off_m)) return std::nullopt;
        if (pos != s.size() || off_h > 23 || off_m > 59) return std::nullopt;
        epoch = ::timegm(&t) - sign * (off_h * 3600 + off_m * 60);
    } else {
        return std::nullopt;
    }
    return WallClock::from_time_t(epoch) + std::chrono::milliseconds(millis);
}

Result<WallTime> ParseSince(std::string_view text, WallTime now) {
    if (auto back = ParseDuration(text, now)) return *back;
    if (auto at = ParseIsoTime(text)) return *at;
    return Fail(Code::kInvalidArgument, "--since '" + std::string(text) + "': " + std::string(kSinceHelp));
}

std::optional<WallTime> LineTime(std::string_view line) {
    constexpr std::string_view kPrefix = "{\"ts\":\"";
    if (!line.starts_with(kPrefix)) return std::nullopt;
    size_t end = line.find('"', kPrefix.size());
    if (end == std::string_view::npos) return std::nullopt;
    return ParseIsoTime(line.substr(kPrefix.size(), end - kPrefix.size()));
}

long LinePid(std::string_view line) {
    constexpr std::string_view kKey = "\"pid\":";
    size_t at = line.find(kKey);
    if (at == std::string_view::npos || at > 80) return 0;  // a record's own field, near its start
    long pid = 0;
    const char* begin = line.data() + at + kKey.size();
    auto [end, ec] = std::from_chars(begin, line.data() + line.size(), pid);
    return ec == std::errc() ? pid : 0;
}

void LogReader::ReadNew(std::vector<LogLine>& out, bool flush) {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size < offset_) {  // truncated or replaced: from its start
        offset_ = 0;
        partial_.clear();
    }
    std::string text;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::pread(fd, buffer, sizeof buffer, offset_);
        if (n <= 0) break;
        text.append(buffer, static_cast<size_t>(n));
        offset_ += n;
    }
    ::close(fd);
    partial_ += text;
    size_t start = 0;
    auto emit = [&](std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (auto t = LineTime(line)) last_ = *t;
        out.push_back({last_, source_, std::string(line)});
    };
    for (size_t eol; (eol = partial_.find('\n', start)) != std::string::npos; start = eol + 1) {
        emit(std::string_view(partial_).substr(start, eol - start));
    }
    partial_.erase(0, start);
    if (flush && !partial_.empty()) {
        emit(partial_);
        partial_.clear();
    }
}

void SortByTime(std::vector<LogLine>& lines) {
    std::stable_sort(lines.begin(), lines.end(), [](const LogLine& a, const LogLine& b) { return a.time < b.time; });
}

std::string FormatLogLine(std::string_view name, size_t width, std::string_view text, size_t colour_index,
                          bool colour) {
    static constexpr int kColours[] = {36, 33, 32, 35, 34, 91, 96, 93, 92, 95, 94, 31};
    std::string line;
    if (colour) {
        line.append("\x1b[").append(std::to_string(kColours[colour_index % std::size(kColours)])).append("m");
    }
    line.append(name);
    if (name.size() < width) line.append(width - name.size(), ' ');
    line.append(" |");
    if (colour) line.append("\x1b[0m");
    line.append(" ").append(text).append("\n");
    return line;
}

std::string FormatUptime(long long seconds) {
    if (seconds < 0) seconds = 0;
    char buffer[32];
    if (seconds < 60) {
        std::snprintf(buffer, sizeof buffer, "%llds", seconds);
    } else if (seconds < 3600) {
        std::snprintf(buffer, sizeof buffer, "%lldm%02llds", seconds / 60, seconds % 60);
    } else if (seconds < 86400) {
        std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", seconds / 3600, seconds % 3600 / 60);
    } else {
        std::snprintf(buffer, sizeof buffer, "%lldd%02lldh", seconds / 86400, seconds % 86400 / 3600);
    }
    return buffer;
}

namespace {

// One process of the running `up` whose log is read.
struct Source {
    std::string name;  // "vaccine/reservation"
    std::string system;
    std::string log;
    int replicas = 1;
    std::map<long, int> replica_of;  // pid → replica index
};

struct Sources {
    std::vector<Source> list;
    std::vector<std::string> systems;  // running, in order
};

std::string Field(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<Sources> ReadSources(const std::string& data_dir) {
    auto reply = SendControl(data_dir, "STATUS", Millis(5000));
    if (!reply) return Fail(reply.error());
    if (!reply->ok) return Fail(Code::kUnavailable, reply->message);
    boost::system::error_code ec;
    bj::value root = bj::parse(reply->body, ec);
    const bj::value* processes = !ec && root.is_object() ? root.get_object().if_contains("processes") : nullptr;
    if (!processes || !processes->is_array()) return Fail(Code::kInternal, "malformed state from `reservo up`");
    Sources sources;
    for (const bj::value& p : processes->get_array()) {
        if (!p.is_object()) continue;
        const bj::object& o = p.get_object();
        Source source;
        source.system = Field(o, "system");
        source.name = source.system + "/" + Field(o, "service");
        source.log = Field(o, "log");
        if (const bj::value* r = o.if_contains("replicas"); r && r->is_int64()) {
            source.replicas = static_cast<int>(r->get_int64());
        }
        if (const bj::value* instances = o.if_contains("instances"); instances && instances->is_array()) {
            for (const bj::value& i : instances->get_array()) {
                if (!i.is_object()) continue;
                const bj::value* pid = i.get_object().if_contains("pid");
                const bj::value* replica = i.get_object().if_contains("replica");
                if (pid && pid->is_int64() && replica && replica->is_int64()) {
                    source.replica_of[static_cast<long>(pid->get_int64())] = static_cast<int>(replica->get_int64());
                }
            }
        }
        if (std::find(sources.systems.begin(), sources.systems.end(), source.system) == sources.systems.end()) {
            sources.systems.push_back(source.system);
        }
        sources.list.push_back(std::move(source));
    }
    return sources;
}

bool Selected(const Source& source, const std::string& filter) {
    if (filter.empty()) return true;
    if (filter.find('/') == std::string::npos) return source.system == filter;
    return source.name == filter;
}

// What a line of `source` is shown as: the process, and with several replicas which one.
std::string DisplayName(const Source& source, const LogLine& line) {
    if (source.replicas <= 1) return source.name;
    long pid = LinePid(line.text);
    if (pid <= 0) return source.name;
    auto it = source.replica_of.find(pid);
    if (it != source.replica_of.end()) return source.name + "#" + std::to_string(it->second);
    return source.name + "(pid " + std::to_string(pid) + ")";
}

}  // namespace

int RunLogs(const LogsOptions& options, std::ostream& out, std::ostream& err, const std::atomic<bool>& stop) {
    auto sources = ReadSources(options.data_dir);
    if (!sources) {
        err << "reservo logs: " << sources.error().message << "\n";
        return 1;
    }
    if (!options.filter.empty()) {
        bool any = std::any_of(sources->list.begin(), sources->list.end(),
                               [&](const Source& s) { return Selected(s, options.filter); });
        if (!any) {
            std::string running;
            for (const Source& s : sources->list) running.append(running.empty() ? "" : ", ").append(s.name);
            err << "reservo logs: '" << options.filter << "' names no process of the running `reservo up` (--data "
                << options.data_dir << "); its processes: " << running << "\n";
            return 2;
        }
    }
    std::vector<Source> shown;
    std::vector<LogReader> readers;
    std::map<std::string, size_t> colour_of;
    size_t width = 0;
    auto adopt = [&](const Sources& current) {
        for (const Source& s : current.list) {
            if (!Selected(s, options.filter)) continue;
            auto it = std::find_if(shown.begin(), shown.end(), [&](const Source& known) { return known.log == s.log; });
            if (it != shown.end()) {
                *it = s;  // replicas and pids change
            } else {
                readers.emplace_back(s.log, shown.size());
                shown.push_back(s);
            }
            width = std::max(width, s.name.size() + (s.replicas > 1 ? 2 : 0));
        }
    };
    adopt(*sources);
    auto print = [&](std::vector<LogLine>& lines) {
        SortByTime(lines);
        // A replica that started since the last look at the state (scaled, restarted): look again, so
        // its lines name the replica rather than the pid.
        bool unknown_pid = std::any_of(lines.begin(), lines.end(), [&](const LogLine& line) {
            const Source& source = shown[line.source];
            long pid = source.replicas > 1 ? LinePid(line.text) : 0;
            return pid > 0 && !source.replica_of.contains(pid);
        });
        if (unknown_pid) {
            if (auto current = ReadSources(options.data_dir)) adopt(*current);
        }
        std::string text;
        for (const LogLine& line : lines) {
            if (options.since && line.time < *options.since) continue;
            std::string name = DisplayName(shown[line.source], line);
            auto [it, fresh] = colour_of.emplace(name, colour_of.size());
            text += FormatLogLine(name, width, line.text, it->second, options.colour);
        }
        lines.clear();
        if (!text.empty()) out << text << std::flush;
        return static_cast<bool>(out);
    };
    std::vector<LogLine> lines;
    for (LogReader& reader : readers) reader.ReadNew(lines, !options.follow);
    if (!print(lines) || !options.follow) return 0;
    auto next_refresh = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (std::chrono::steady_clock::now() >= next_refresh) {
            // New processes (scaled, restarted) and their pids; a gone `up` leaves the files as they are.
            if (auto current = ReadSources(options.data_dir)) adopt(*current);
            next_refresh = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        }
        for (LogReader& reader : readers) reader.ReadNew(lines, false);
        if (!print(lines)) return 0;
    }
    return 0;
}

}  // namespace reservo::cli
