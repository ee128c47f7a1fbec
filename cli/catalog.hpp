// The catalog of Reservo systems: which systems this binary runs, their configuration, and the
// service module behind each of their processes. It is the composition root (catalog.cpp):
// the one place that knows every system and the edge, so that systems/ never includes edge/
// or cli/.
//
// Each system is described by one YAML file (systems/<system>/system.yaml), embedded in the
// binary at build time so defaults work with no files around; `--config FILE` replaces it.
// Its `services` list gives the port order: the gateway listens on the port base (default
// `gateway.port`), the i-th service on base + 1 + i (kit/service/topology.hpp).
//
// A configuration is checked before any process of the system starts: against the system's
// schema — the kit's keys and the settings its modules declare — and the call policies it
// gives, every problem one line naming the key.
//
//   for (const std::string& name : SystemNames()) {
//       Result<Config> config = LoadSystemConfig(name);
//       if (Status valid = ValidateSystemConfig(name, *config); !valid) return Refuse(valid.error().message);
//       Result<service::ServiceModule> gateway = FindModule(name, "gateway");
//   }
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kit/core/config.hpp"
#include "kit/core/config_schema.hpp"
#include "kit/service/service.hpp"

namespace reservo::cli {

// Names of the systems built into this binary, in the order of RESERVO_SYSTEMS
// (systems/CMakeLists.txt): the order `reservo up` starts them in.
std::vector<std::string> SystemNames();

// The YAML embedded for `system` (systems/<system>/system.yaml); kNotFound for an unknown system.
Result<std::string> SystemYaml(const std::string& system);

// The system's configuration: the embedded YAML (or `file`), with environment overrides.
Result<Config> LoadSystemConfig(const std::string& system, const std::optional<std::string>& file = std::nullopt);

// Every module of `system`: its gateway, then its services. kNotFound for an unknown system.
Result<std::vector<service::ServiceModule>> SystemModules(const std::string& system);

// The module of `process` ("gateway" or a service name) of `system`; kNotFound if none.
Result<service::ServiceModule> FindModule(const std::string& system, const std::string& process);

// Every key `system` may be configured with: KitSchema() and each module's `settings` under
// `services.<module>.`. kNotFound for an unknown system.
Result<Schema> SystemSchema(const std::string& system);

// Whether `config` is one `system`'s processes can start with: it satisfies SystemSchema, with the
// RESERVO_* variables in `env_names` (nullopt: this process's), and every call policy it declares
// holds together (a breaker's minimum-calls within its window). kInvalidArgument with one problem
// per line, "key: why"; after it passed, no process of the system fails to read a setting.
Status ValidateSystemConfig(const std::string& system, const Config& config,
                            const std::optional<std::vector<std::string>>& env_names = std::nullopt);

}  // namespace reservo::cli
