#include "kit/service/topology.hpp"

#include "kit/service/service.hpp"

namespace reservo::service {

std::vector<std::string> ProcessNames(const Config& system) {
    std::vector<std::string> out{"gateway"};
    for (auto& s : system.Children("services")) out.push_back(s);
    return out;
}

Result<int> PortOf(const Config& system, const std::string& process, int port_base) {
    int base = port_base >= 0 ? port_base : static_cast<int>(system.GetInt("gateway.port", 8080));
    auto names = ProcessNames(system);
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == process) return base + static_cast<int>(i);
    }
    return Fail(Code::kNotFound, "system '" + system.GetString("system") + "' has no process '" + process + "'");
}

std::string ServiceUrl(const Config& system, const std::string& name, int port_base) {
    if (auto url = system.Find("services." + name + ".url")) return *url;
    auto port = PortOf(system, name, port_base);
    // Where `reservo up` binds the services; every interface includes loopback.
    std::string host = system.GetString("runtime.bind-address", "127.0.0.1");
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    return "http://" + host + ":" + std::to_string(port.value_or(0));
}

}  // namespace reservo::service
