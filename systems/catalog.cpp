#include "systems/catalog.hpp"

#include <cstdlib>
#include <functional>
#include <map>

#include "edge/gateway/gateway.hpp"
#include "kit/core/log.hpp"
#include "kit/service/topology.hpp"
#include "systems/vaccine/mypage/module.hpp"
#include "systems/vaccine/notification/module.hpp"
#include "systems/vaccine/reservation/module.hpp"
#include "systems/vaccine/vaccine-mgmt/module.hpp"

namespace reservo::systems {

extern const std::vector<std::pair<std::string_view, std::string_view>> kEmbeddedSystems;

namespace {

using ModuleFactory = std::function<service::ServiceModule()>;

const std::map<std::string, ModuleFactory>& Modules() {
    static const std::map<std::string, ModuleFactory> kModules = {
        {"vaccine/gateway", [] { return edge::GatewayModule("vaccine"); }},
        {"vaccine/vaccine-mgmt", vaccine::VaccineMgmtModule},
        {"vaccine/reservation", vaccine::ReservationModule},
        {"vaccine/notification", vaccine::NotificationModule},
        {"vaccine/mypage", vaccine::MyPageModule},
    };
    return kModules;
}

}  // namespace

std::vector<std::string> SystemNames() {
    std::vector<std::string> out;
    for (const auto& [name, _] : kEmbeddedSystems) out.emplace_back(name);
    return out;
}

Result<Config> LoadSystemConfig(const std::string& system, const std::optional<std::string>& file) {
    if (file) return Config::FromFile(*file);
    for (const auto& [name, yaml] : kEmbeddedSystems) {
        if (name == system) return Config::FromYaml(std::string(yaml));
    }
    std::string known;
    for (const auto& n : SystemNames()) known += (known.empty() ? "" : ", ") + n;
    return Fail(Code::kNotFound, "unknown system '" + system + "' (known: " + known + ")");
}

std::vector<std::string> ProcessNames(const Config& system) { return service::ProcessNames(system); }

Result<int> PortOf(const Config& system, const std::string& process, int port_base) {
    return service::PortOf(system, process, port_base);
}

int Serve(const ServeOptions& options) {
    log::Init(options.system + "/" + options.service,
              std::getenv("RESERVO_LOG_LEVEL") ? std::getenv("RESERVO_LOG_LEVEL") : "info");
    auto cfg = LoadSystemConfig(options.system, options.config_file);
    if (!cfg) {
        log::Error("cannot load configuration", {{"error", cfg.error().message}});
        return 2;
    }
    auto it = Modules().find(options.system + "/" + options.service);
    if (it == Modules().end()) {
        log::Error("unknown service", {{"service", options.system + "/" + options.service}});
        return 2;
    }
    int base = options.port_base.value_or(static_cast<int>(cfg->GetInt("runtime.port-base", -1)));
    if (base >= 0) cfg->Set("runtime.port-base", std::to_string(base));
    service::RunOptions run;
    run.port_base = base;
    run.data_dir = options.data_dir;
    if (options.port) {
        run.port = *options.port;
    } else {
        auto port = PortOf(*cfg, options.service, base);
        if (!port) {
            log::Error("no port", {{"error", port.error().message}});
            return 2;
        }
        run.port = *port;
    }
    if (const char* fd = std::getenv("RESERVO_LISTEN_FD")) run.listen_fd = std::atoi(fd);
    if (const char* faults = std::getenv("RESERVO_FAULTS")) run.faults_enabled = std::string(faults) == "1";
    return service::RunService(*cfg, it->second(), run);
}

}  // namespace reservo::systems
