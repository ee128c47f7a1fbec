#include "cli/serve.hpp"

#include <cstdlib>

#include "cli/catalog.hpp"
#include "kit/core/log.hpp"
#include "kit/service/topology.hpp"

namespace reservo::cli {

int Serve(const ServeOptions& options) {
    log::Init(options.system + "/" + options.service,
              std::getenv("RESERVO_LOG_LEVEL") ? std::getenv("RESERVO_LOG_LEVEL") : "info");
    auto cfg = LoadSystemConfig(options.system, options.config_file);
    if (!cfg) {
        log::Error("cannot load configuration", {{"error", cfg.error().message}});
        return 2;
    }
    auto module = FindModule(options.system, options.service);
    if (!module) {
        log::Error("unknown service",
                   {{"service", options.system + "/" + options.service}, {"error", module.error().message}});
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
        auto port = service::PortOf(*cfg, options.service, base);
        if (!port) {
            log::Error("no port", {{"error", port.error().message}});
            return 2;
        }
        run.port = *port;
    }
    if (const char* fd = std::getenv("RESERVO_LISTEN_FD")) run.listen_fd = std::atoi(fd);
    if (const char* faults = std::getenv("RESERVO_FAULTS")) run.faults_enabled = std::string(faults) == "1";
    return service::RunService(*cfg, *module, run);
}

}  // namespace reservo::cli
