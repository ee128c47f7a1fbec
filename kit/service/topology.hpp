// Where the processes of a system listen, derived from its YAML: the gateway on the port base,
// the i-th service on base + 1 + i. Declared once here, read by `serve`, `up` and the gateway.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kit/core/config.hpp"

namespace reservo::service {

// "gateway" first, then the services in port order.
std::vector<std::string> ProcessNames(const Config& system);

// The port of `process` for a port base (-1: the YAML's `gateway.port`).
Result<int> PortOf(const Config& system, const std::string& process, int port_base = -1);

// Base URL of another process of the system: `services.<name>.url` if set, else the host the
// services are bound to (`runtime.bind-address`, loopback for every interface) and its port.
Result<std::string> UrlOf(const Config& system, const std::string& process, int port_base);

// The event types a service publishes and consumes, as `services.<name>.publishes` and `.consumes`
// declare them (absent: none). The host holds the service to them (kit/service/host.cpp), so the
// YAML is the one picture of a system's event flows that the gateway's console shows.
struct EventFlows {
    std::vector<std::string> publishes;
    std::vector<std::string> consumes;
};
// nullopt for a process the YAML does not list as a service (the gateway).
std::optional<EventFlows> EventFlowsOf(const Config& system, const std::string& service);

}  // namespace reservo::service
