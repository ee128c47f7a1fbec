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
// Every system gets its gateway from here (edge/gateway). An edge module a system needs
// besides (an OAuth server, say) is added in its line, e.g. with a lambda appending it.
// catalog_test.cpp fails until every system in RESERVO_SYSTEMS has its line and a module
// for each service its YAML lists.
#include "cli/catalog.hpp"

#include <functional>
#include <string_view>
#include <utility>

#include "edge/gateway/gateway.hpp"
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

const std::vector<SystemEntry> kSystems = {
    {"vaccine", vaccine::VaccineServices},
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

Result<Config> LoadSystemConfig(const std::string& system, const std::optional<std::string>& file) {
    if (file) return Config::FromFile(*file);
    for (const auto& [name, yaml] : systems::kEmbeddedSystems) {
        if (name == system) return Config::FromYaml(std::string(yaml));
    }
    return Fail(Code::kNotFound, "unknown system '" + system + "' (known: " + KnownSystems() + ")");
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

}  // namespace reservo::cli
