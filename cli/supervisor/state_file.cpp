#include "cli/supervisor/state_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "cli/supervisor/listener.hpp"

namespace reservo::cli {

namespace bj = boost::json;

namespace {

const char* StateName(ReplicaState state) {
    switch (state) {
        case ReplicaState::kWaiting:
            return "restarting";
        case ReplicaState::kStarting:
            return "starting";
        case ReplicaState::kReady:
            return "ready";
        case ReplicaState::kUnhealthy:
            return "unhealthy";
        case ReplicaState::kStopping:
            return "stopping";
    }
    return "starting";
}

bj::object ServiceJson(const ReplicaSet& service, bool shutting_down) {
    const ProcessSpec& spec = service.spec();
    bj::object p;
    p["system"] = spec.system;
    p["service"] = spec.name;
    p["port"] = spec.port;
    p["bindAddress"] = spec.bind_address;
    p["url"] = "http://" + UrlHost(spec.bind_address) + ":" + std::to_string(spec.port);
    int ready = 0;
    bj::array pids;
    bj::array instances;
    const auto now = SteadyClock::now();
    int64_t uptime = -1;  // of the longest-running process
    for (const Replica& r : service.replicas()) {
        if (r.state == ReplicaState::kReady && !r.retiring) ++ready;
        if (r.pid > 0) pids.push_back(r.pid);
        bj::object instance;
        instance["replica"] = r.index;
        instance["pid"] = r.pid > 0 ? bj::value(r.pid) : bj::value(nullptr);
        instance["state"] = StateName(r.state);
        if (r.pid > 0) {
            int64_t up = std::chrono::duration_cast<std::chrono::seconds>(now - r.started_at).count();
            instance["uptimeSeconds"] = up;
            uptime = std::max(uptime, up);
        }
        instances.push_back(std::move(instance));
    }
    std::string state;
    if (service.stopped()) {
        state = service.replicas().empty() ? "stopped" : "stopping";
    } else if (shutting_down) {
        state = "stopping";
    } else {
        state = service.AllReady() ? "ready" : "starting";
    }
    p["state"] = state;
    p["replicas"] = service.stopped() ? 0 : service.desired();
    p["ready"] = ready;
    p["pids"] = std::move(pids);
    p["restarts"] = service.restarts();
    p["log"] = spec.log_path;
    p["uptimeSeconds"] = uptime >= 0 ? bj::value(uptime) : bj::value(nullptr);
    p["instances"] = std::move(instances);
    return p;
}

}  // namespace

std::string StateJson(const std::vector<std::unique_ptr<ReplicaSet>>& services, const std::string& data_dir,
                      bool shutting_down) {
    bj::object root;
    root["supervisorPid"] = static_cast<int64_t>(::getpid());
    root["dataDir"] = data_dir;
    root["state"] = shutting_down ? "stopping" : "running";
    bj::array processes;
    for (const auto& service : services) processes.push_back(ServiceJson(*service, shutting_down));
    root["processes"] = std::move(processes);
    return bj::serialize(root);
}

void WriteStateFile(const std::string& path, const std::string& json) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return;
        out << json << "\n";
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
}

}  // namespace reservo::cli
