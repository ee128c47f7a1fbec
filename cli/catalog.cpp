// The composition root of `reservo`: which service modules make up each system.
//
// Adding a system, say `hotel` (or `vaccine-approval`):
//   1. Its folder systems/hotel/: system.yaml, one sub-folder per bounded context, and
//      services.hpp/.cpp declaring `std::vector<service::ServiceModule> HotelServices();`
//      (including only its own contexts), built into a library `hotel_services` (a dash
//      becomes an underscore: `vaccine_approval_services`).
//   2. Its name in RESERVO_SYSTEMS in systems/CMakeLists.txt, which adds the folder, embeds its
//      YAML and links its library.
//   3. One line in kSystems below, `{"hotel", hotel::HotelServices},`, with its #include.
// Every system gets its gateway from here (edge/gateway). A system whose YAML has `gateway.auth`
// gets its token service (edge/oauth) in its line, through WithTokenService.
// catalog_test.cpp fails until every system in RESERVO_SYSTEMS has its line and a module
// for each service its YAML lists.
#include "cli/catalog.hpp"

#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "edge/gateway/gateway.hpp"
#include "edge/oauth/oauth.hpp"
#include "kit/core/try.hpp"
#include "kit/resilience/call_policy.hpp"
#include "kit/service/topology.hpp"
#include "systems/animal-hospital/services.hpp"
#include "systems/course/services.hpp"
#include "systems/hotel/services.hpp"
#include "systems/vaccine-approval/services.hpp"
#include "systems/vaccine/services.hpp"

namespace reservo::systems {
// systems/CMakeLists.txt generates it from systems/*/system.yaml.
extern const std::vector<std::pair<std::string_view, std::string_view>> kEmbeddedSystems;
}  // namespace reservo::systems

namespace reservo::cli {

namespace {

struct SystemEntry {
    std::string_view name;
    std::function<std::vector<service::ServiceModule>()> services;  // without the gateway
};

// A system whose gateway checks bearer tokens: its token service (edge/oauth) first, then its own.
std::vector<service::ServiceModule> WithTokenService(const std::string& system,
                                                     std::vector<service::ServiceModule> services) {
    services.insert(services.begin(), edge::OAuthModule(system));
    return services;
}

const std::vector<SystemEntry> kSystems = {
    {"vaccine", vaccine::VaccineServices},
    {"vaccine-approval", approval_system::VaccineApprovalServices},
    {"hotel", hotel::HotelServices},
    {"animal-hospital", [] { return WithTokenService("animal-hospital", animal_hospital::AnimalHospitalServices()); }},
    {"course", course::CourseServices},
};

std::string KnownSystems() {
    std::string known;
    for (const auto& n : SystemNames()) known += (known.empty() ? "" : ", ") + n;
    return known;
}

}  // namespace

std::vector<std::string> SystemNames() {
    std::vector<std::string> out;
    for (const auto& [name, _] : systems::kEmbeddedSystems) out.emplace_back(name);
    return out;
}

Result<std::string> SystemYaml(const std::string& system) {
    for (const auto& [name, yaml] : systems::kEmbeddedSystems) {
        if (name == system) return std::string(yaml);
    }
    return Fail(Code::kNotFound, "unknown system '" + system + "' (known: " + KnownSystems() + ")");
}

Result<Config> LoadSystemConfig(const std::string& system, const std::optional<std::string>& file) {
    if (file) return Config::FromFile(*file);
    return Config::FromYaml(RESERVO_TRY(SystemYaml(system)));
}

Result<std::vector<service::ServiceModule>> SystemModules(const std::string& system) {
    for (const SystemEntry& entry : kSystems) {
        if (entry.name != system) continue;
        std::vector<service::ServiceModule> modules{edge::GatewayModule(system)};
        for (service::ServiceModule& module : entry.services()) modules.push_back(std::move(module));
        return modules;
    }
    return Fail(Code::kNotFound, "no services registered for system '" + system + "' (cli/catalog.cpp)");
}

Result<service::ServiceModule> FindModule(const std::string& system, const std::string& process) {
    auto modules = SystemModules(system);
    if (!modules) return Fail(modules.error());
    for (service::ServiceModule& module : *modules) {
        if (module.name == process) return std::move(module);
    }
    return Fail(Code::kNotFound, "system '" + system + "' has no service '" + process + "'");
}

Result<Schema> SystemSchema(const std::string& system) {
    Schema schema = KitSchema();
    for (const service::ServiceModule& module : RESERVO_TRY(SystemModules(system))) {
        if (module.settings.empty()) continue;
        if (auto added = schema.AddServiceSettings(module.name, module.settings); !added) {
            return Fail(Code::kInternal,
                        system + "/" + module.name + " declares its settings wrongly: " + added.error().message);
        }
    }
    return schema;
}

Status ValidateSystemConfig(const std::string& system, const Config& config,
                            const std::optional<std::vector<std::string>>& env_names) {
    const Schema schema = RESERVO_TRY(SystemSchema(system));
    const Status valid = Validate(config, schema, env_names);
    std::string problems = valid ? "" : valid.error().message;
    // What no single key says: read every call policy as the processes will. A read stops at the
    // first bad key, which the schema has named already.
    auto check = [&](const Result<CallPolicy>& policy) {
        if (policy) return;
        const std::string& line = policy.error().message;
        const std::string key = line.substr(0, line.find(": "));
        if (problems.starts_with(key + ": ") || problems.find("\n" + key + ": ") != std::string::npos) return;
        problems += (problems.empty() ? "" : "\n") + line;
    };
    check(CallPolicy::ForProxy(config, "gateway.upstream", Millis{1}));
    for (const std::string& service : config.Children("services")) {
        const std::string deps = "services." + service + ".dependencies";
        for (const std::string& dep : config.Children(deps)) check(CallPolicy::FromConfig(config, deps + "." + dep));
    }
    // An event a service waits for that no service of the system publishes is a flow that never runs.
    std::map<std::string, service::EventFlows> flows;
    std::set<std::string> published;
    for (const std::string& service : config.Children("services")) {
        const service::EventFlows& f = flows[service] = service::EventFlowsOf(config, service).value();
        published.insert(f.publishes.begin(), f.publishes.end());
    }
    for (const auto& [service, f] : flows) {
        for (const std::string& type : f.consumes) {
            if (published.contains(type)) continue;
            if (!problems.empty()) problems.append("\n");
            problems.append("services.").append(service).append(".consumes: no service of system '");
            problems.append(system).append("' publishes ").append(type);
        }
    }
    if (!problems.empty()) return Fail(Code::kInvalidArgument, problems);
    return Ok();
}

}  // namespace reservo::cli
