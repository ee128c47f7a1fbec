// What `reservo up` decides for each process besides its command and port: where its socket
// listens and whether fault injection is on.
//
// The gateway is the system's front door: it listens on all interfaces and never injects
// faults. Services are reached through it (and by each other on the loopback), so they listen
// on 127.0.0.1 and get RESERVO_FAULTS=1 only when asked for (`up --faults`, or RESERVO_FAULTS=1
// in the environment of `up`). RESERVO_FAULTS is always set, to 1 or 0, so a value inherited
// from the supervisor's environment never reaches a process that should not have it.
//
//   UpPolicy policy = ReadUpPolicy(system_config, faults_flag);
//   ApplyUpPolicy(policy, spec);  // spec.name is "gateway" or a service
#pragma once

#include <string>

#include "cli/supervisor.hpp"
#include "kit/core/config.hpp"

namespace reservo::cli {

struct UpPolicy {
    bool faults = false;                             // fault injection on the services
    std::string gateway_bind_address = "0.0.0.0";    // YAML `gateway.bind-address`
    std::string service_bind_address = "127.0.0.1";  // YAML `runtime.bind-address`
};

// The policy of one system: bind addresses from its config (environment overrides included:
// RESERVO_GATEWAY_BIND_ADDRESS, RESERVO_RUNTIME_BIND_ADDRESS); faults when `faults_flag` is
// set or `env` has RESERVO_FAULTS=1.
UpPolicy ReadUpPolicy(const Config& system, bool faults_flag, const Config::EnvLookup& env = Config::ProcessEnv());

// Sets spec.bind_address and RESERVO_FAULTS in spec.env for the process named spec.name.
void ApplyUpPolicy(const UpPolicy& policy, ProcessSpec& spec);

}  // namespace reservo::cli
