// What `reservo up` starts: every process of the named systems, in start order, with its
// command, port, bind address, log file and fault-injection switch.
//
// Systems start in the order given (by default every system, in catalog order). Each listens on
// its own ports: the gateway on `gateway.port` from its YAML and its services on the ports after
// it, in the order of its `services` list (kit/service/topology.hpp). With `--port-base N`, the
// i-th system started gets the base N + 100 * i instead (kSystemPortStride).
//
//   std::vector<SystemToStart> systems = {{"vaccine", vaccine_config}, {"hotel", hotel_config}};
//   Result<std::vector<ProcessSpec>> specs = PlanUp(systems, {.port_base = 9000, .data_dir = "/srv/data",
//                                                             .exe = "/usr/bin/reservo"});
//   // vaccine/gateway on 9000, vaccine's services on 9001…; hotel/gateway on 9100, …
//
// Besides its command and port, UpPolicy decides for each process where its socket listens and
// whether fault injection is on.
//
// The gateway is the system's front door: it listens on all interfaces and never injects
// faults. Services are reached through it (and by each other on the loopback), so they listen
// on 127.0.0.1 and get RESERVO_FAULTS=1 only when asked for (`up --faults`, or RESERVO_FAULTS=1
// in the environment of `up`). RESERVO_FAULTS is always set, to 1 or 0, so a value inherited
// from the supervisor's environment never reaches a process that should not have it.
//
//   Result<UpPolicy> policy = ReadUpPolicy(system_config, faults_flag);
//   ApplyUpPolicy(*policy, spec);  // spec.name is "gateway" or a service
//
// The systems' configurations are validated before (cli/catalog.hpp): nothing here falls back on
// a value of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/supervisor.hpp"
#include "kit/core/config.hpp"

namespace reservo::cli {

struct UpPolicy {
    bool faults = false;               // fault injection on the services
    std::string gateway_bind_address;  // YAML `gateway.bind-address`
    std::string service_bind_address;  // YAML `runtime.bind-address`
};

// The policy of one system: bind addresses from its config (environment overrides included:
// RESERVO_GATEWAY_BIND_ADDRESS, RESERVO_RUNTIME_BIND_ADDRESS); faults when `faults_flag` is
// set or `env` has RESERVO_FAULTS=1. Fails naming a bind address the config lacks.
Result<UpPolicy> ReadUpPolicy(const Config& system, bool faults_flag,
                              const Config::EnvLookup& env = Config::ProcessEnv());

// Sets spec.bind_address and RESERVO_FAULTS in spec.env for the process named spec.name.
void ApplyUpPolicy(const UpPolicy& policy, ProcessSpec& spec);

// --port-base N: the i-th system started gets the base N + kSystemPortStride * i.
inline constexpr int kSystemPortStride = 100;

struct SystemToStart {
    std::string name;
    Config config;
};

struct UpOptions {
    std::optional<int> port_base;                  // --port-base; unset: each system's `gateway.port`
    std::string data_dir;                          // system S keeps its data in DATA/S and its logs in DATA/S/logs
    std::string exe;                               // the `reservo` binary each process runs as `serve`
    bool faults = false;                           // --faults
    Config::EnvLookup env = Config::ProcessEnv();  // where RESERVO_FAULTS is read
};

// The processes of `systems` in start order: per system its gateway, then its services. Fails
// on a system named twice and on two processes planned on the same port (overlapping ports in
// the systems' YAML, say), naming both; and, prefixed with the system, on a key it reads that a
// configuration lacks (which validation rules out).
Result<std::vector<ProcessSpec>> PlanUp(const std::vector<SystemToStart>& systems, const UpOptions& options);

}  // namespace reservo::cli
