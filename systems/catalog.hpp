// The catalog of Reservo systems and the entry point that serves one of their services.
//
// Each system is described by one YAML file (systems/<system>/system.yaml), embedded in the
// binary at build time so defaults work with no files around; `--config FILE` replaces it.
// Its `services` list gives the port order: the gateway listens on the port base (default
// `gateway.port`), the i-th service on base + 1 + i.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kit/core/config.hpp"

namespace reservo::systems {

// Names of the systems built into this binary, in the order of their default ports.
std::vector<std::string> SystemNames();

// The system's configuration: the embedded YAML (or `file`), with environment overrides.
Result<Config> LoadSystemConfig(const std::string& system, const std::optional<std::string>& file = std::nullopt);

// Process names of a system in start order: "gateway" first, then its services in port order.
std::vector<std::string> ProcessNames(const Config& system);

// The port of `process` ("gateway" or a service name) for a given port base (-1 = the YAML's).
Result<int> PortOf(const Config& system, const std::string& process, int port_base = -1);

struct ServeOptions {
    std::string system;
    std::string service;  // "gateway" or a service name
    std::optional<int> port;
    std::optional<int> port_base;
    std::string data_dir = "./data";
    std::optional<std::string> config_file;
};

// Runs one service in the foreground until SIGTERM/SIGINT, then drains. Returns the exit code.
// Listens on the inherited socket in $RESERVO_LISTEN_FD when set, else binds the port itself
// with SO_REUSEPORT.
int Serve(const ServeOptions& options);

}  // namespace reservo::systems
