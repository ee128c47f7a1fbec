#include "cli/control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "cli/http_probe.hpp"
#include "cli/logs.hpp"

namespace reservo::cli {

namespace bj = boost::json;

std::string ControlSocketPath(const std::string& data_dir) { return data_dir + "/reservo.sock"; }
std::string StateFilePath(const std::string& data_dir) { return data_dir + "/reservo.state"; }

namespace {

class Fd final {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

std::string NotRunning(const std::string& data_dir, const std::string& path, const char* why) {
    return "no `reservo up` is running with --data " + data_dir + " (" + path + ": " + why + ")";
}

// Renders rows as columns separated by two spaces.
std::string Columns(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string Str(const bj::object& o, std::string_view key) {
    const bj::value* v = o.if_contains(key);
    if (!v) return "";
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    return bj::serialize(*v);
}

std::string Pids(const bj::object& o) {
    std::string out;
    if (const bj::value* v = o.if_contains("pids"); v && v->is_array()) {
        for (const bj::value& pid : v->get_array()) {
            if (!out.empty()) out += ",";
            out += bj::serialize(pid);
        }
    }
    return out.empty() ? "-" : out;
}

Result<bj::array> Processes(const std::string& state_json) {
    boost::system::error_code ec;
    bj::value root = bj::parse(state_json, ec);
    if (ec || !root.is_object()) return Fail(Code::kInternal, "malformed state JSON");
    const bj::value* processes = root.get_object().if_contains("processes");
    if (!processes || !processes->is_array()) return Fail(Code::kInternal, "state JSON has no processes");
    return processes->get_array();
}

}  // namespace

Result<ControlReply> SendControl(const std::string& data_dir, const std::string& request, Millis timeout) {
    std::string path = ControlSocketPath(data_dir);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        return Fail(Code::kInvalidArgument, "data directory path too long for a unix socket: " + path);
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return Fail(Code::kInternal, std::string("socket: ") + std::strerror(errno));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == ENOENT) return Fail(Code::kUnavailable, NotRunning(data_dir, path, "no such socket"));
        if (errno == ECONNREFUSED) return Fail(Code::kUnavailable, NotRunning(data_dir, path, "stale socket"));
        return Fail(Code::kUnavailable, NotRunning(data_dir, path, std::strerror(errno)));
    }
    std::string line = request + "\n";
    for (size_t sent = 0; sent < line.size();) {
        ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Fail(Code::kUnavailable, std::string("control socket: ") + std::strerror(errno));
        }
        sent += static_cast<size_t>(n);
    }
    std::string received;
    auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now()).count();
        if (left <= 0) return Fail(Code::kDeadlineExceeded, "no reply from `reservo up` in time");
        pollfd pfd{fd.get(), POLLIN, 0};
        int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
        if (ready < 0 && errno != EINTR) return Fail(Code::kInternal, std::string("poll: ") + std::strerror(errno));
        if (ready <= 0) continue;
        char buffer[8192];
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Fail(Code::kUnavailable, std::string("control socket: ") + std::strerror(errno));
        }
        if (n == 0) break;
        received.append(buffer, static_cast<size_t>(n));
    }
    size_t eol = received.find('\n');
    std::string first = received.substr(0, eol);
    ControlReply reply;
    if (first.starts_with("OK")) {
        reply.ok = true;
        reply.message = first.size() > 3 ? first.substr(3) : "";
    } else if (first.starts_with("ERR")) {
        reply.message = first.size() > 4 ? first.substr(4) : "failed";
    } else {
        return Fail(Code::kUnavailable, "`reservo up` closed the connection without a reply");
    }
    if (eol != std::string::npos) reply.body = received.substr(eol + 1);
    return reply;
}

Result<std::string> FormatReadyTable(const std::string& state_json) {
    auto processes = Processes(state_json);
    if (!processes) return Fail(processes.error());
    std::vector<std::vector<std::string>> rows{{"SYSTEM", "SERVICE", "PORT", "PID", "URL"}};
    for (const bj::value& p : *processes) {
        if (!p.is_object()) continue;
        const bj::object& o = p.get_object();
        rows.push_back({Str(o, "system"), Str(o, "service"), Str(o, "port"), Pids(o), Str(o, "url")});
    }
    return Columns(rows);
}

std::string FormatConsoleLines(const std::string& state_json, const std::set<std::string>& with_console) {
    auto processes = Processes(state_json);
    if (!processes) return "";
    std::string out;
    for (const bj::value& p : *processes) {
        if (!p.is_object()) continue;
        const bj::object& o = p.get_object();
        if (Str(o, "service") != "gateway" || !with_console.contains(Str(o, "system"))) continue;
        out.append("console: ").append(Str(o, "url")).append("/console/  (").append(Str(o, "system")).append(")\n");
    }
    return out;
}

Result<std::string> FormatStatusTable(const std::string& state_json) {
    auto processes = Processes(state_json);
    if (!processes) return Fail(processes.error());
    std::vector<std::vector<std::string>> rows{
        {"SYSTEM", "SERVICE", "STATE", "HEALTH", "REPLICAS", "PIDS", "PORT", "UPTIME", "RESTARTS", "URL"}};
    for (const bj::value& p : *processes) {
        if (!p.is_object()) continue;
        const bj::object& o = p.get_object();
        const bj::value* health = o.if_contains("health");
        const bj::value* uptime = o.if_contains("uptimeSeconds");
        rows.push_back({Str(o, "system"), Str(o, "service"), Str(o, "state"),
                        health && health->is_string() ? std::string(health->get_string()) : std::string(1, '-'),
                        Str(o, "ready") + "/" + Str(o, "replicas"), Pids(o), Str(o, "port"),
                        uptime && uptime->is_int64() ? FormatUptime(uptime->get_int64()) : std::string(1, '-'),
                        Str(o, "restarts"), Str(o, "url")});
    }
    return Columns(rows);
}

Result<std::string> WithHealth(const std::string& state_json, Millis timeout) {
    boost::system::error_code ec;
    bj::value root = bj::parse(state_json, ec);
    bj::value* processes = !ec && root.is_object() ? root.get_object().if_contains("processes") : nullptr;
    if (!processes || !processes->is_array()) return Fail(Code::kInternal, "malformed state JSON");
    struct Check {
        bj::object* process;
        HttpProbe probe;
        std::optional<std::string> health;
    };
    std::vector<Check> checks;
    for (bj::value& p : processes->get_array()) {
        if (!p.is_object()) continue;
        bj::object& o = p.get_object();
        const bj::value* pids = o.if_contains("pids");
        const bj::value* port = o.if_contains("port");
        if (!pids || !pids->is_array() || pids->get_array().empty() || !port || !port->is_int64()) {
            o["health"] = nullptr;
            continue;
        }
        // The url's host ("localhost" for a loopback or wildcard bind); the probe takes IPv4 literals.
        std::string host = Str(o, "bindAddress");
        if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
        Check& check = checks.emplace_back(Check{&o, HttpProbe{}, std::nullopt});
        if (!check.probe.Start(host, static_cast<int>(port->get_int64()), "/actuator/health", timeout)) {
            check.health = "unreachable";
        }
    }
    auto finish = [](Check& check, const Result<HttpResponse>& done) {
        if (!done) {
            check.health = "unreachable";
            return;
        }
        boost::system::error_code parse_error;
        bj::value body = bj::parse(done->body, parse_error);
        const bj::value* status = !parse_error && body.is_object() ? body.get_object().if_contains("status") : nullptr;
        check.health =
            status && status->is_string() ? std::string(status->get_string()) : "HTTP " + std::to_string(done->status);
    };
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Check*> waiting;
        for (Check& check : checks) {
            if (check.health) continue;
            if (auto done = check.probe.Advance()) {
                finish(check, *done);
                continue;
            }
            fds.push_back({check.probe.Fd(), check.probe.Events(), 0});
            waiting.push_back(&check);
        }
        if (waiting.empty()) break;
        ::poll(fds.data(), fds.size(), 20);
    }
    for (Check& check : checks) (*check.process)["health"] = *check.health;
    return bj::serialize(root);
}

}  // namespace reservo::cli
