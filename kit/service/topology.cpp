#include "kit/service/topology.hpp"

#include <algorithm>

#include "kit/core/try.hpp"

namespace reservo::service {

std::vector<std::string> ProcessNames(const Config& system) {
    std::vector<std::string> out{"gateway"};
    for (auto& s : system.Children("services")) out.push_back(s);
    return out;
}

Result<int> PortOf(const Config& system, const std::string& process, int port_base) {
    const int base = port_base >= 0 ? port_base : static_cast<int>(RESERVO_TRY(system.RequireInt("gateway.port")));
    auto names = ProcessNames(system);
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == process) return base + static_cast<int>(i);
    }
    return Fail(Code::kNotFound, "system '" + system.GetString("system") + "' has no process '" + process + "'");
}

Result<std::string> UrlOf(const Config& system, const std::string& process, int port_base) {
    if (auto url = system.Find("services." + process + ".url")) return *url;
    const int port = RESERVO_TRY(PortOf(system, process, port_base));
    // Where `reservo up` binds the services; every interface includes loopback.
    std::string host = RESERVO_TRY(system.RequireString("runtime.bind-address"));
    if (host == "0.0.0.0") host = "127.0.0.1";
    return "http://" + host + ":" + std::to_string(port);
}

std::optional<EventFlows> EventFlowsOf(const Config& system, const std::string& service) {
    const auto services = system.Children("services");
    if (std::find(services.begin(), services.end(), service) == services.end()) return std::nullopt;
    const std::string key = "services." + service;
    return EventFlows{.publishes = system.GetList(key + ".publishes"), .consumes = system.GetList(key + ".consumes")};
}

}  // namespace reservo::service
