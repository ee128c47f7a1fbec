#include "cli/serve.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <vector>

#include "cli/catalog.hpp"
#include "kit/core/log.hpp"
#include "kit/service/topology.hpp"

namespace reservo::cli {

namespace {

// Says why the configuration is refused, every problem on its own line: plainly on stderr for
// whoever started the process, and as log records for whoever collects the logs.
void ReportInvalid(const ServeOptions& options, const std::string& problems) {
    const std::string source = options.config_file ? *options.config_file : "the embedded " + options.system + " YAML";
    std::vector<std::string> lines;
    std::istringstream in(problems);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string text = "reservo serve " + options.system + "/" + options.service + ": invalid configuration (" +
                       source + "), not starting:\n";
    for (const auto& line : lines) text += "  " + line + "\n";
    std::cerr << text << std::flush;
    for (const auto& line : lines) log::Error("invalid configuration", {{"problem", line}, {"source", source}});
}

}  // namespace

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
    // `runtime.port-base` is optional: unset, the ports follow `gateway.port`.
    int base = options.port_base.value_or(static_cast<int>(cfg->GetInt("runtime.port-base", -1)));
    if (base >= 0) cfg->Set("runtime.port-base", std::to_string(base));
    // The effective configuration, before anything opens: after this no setting fails to read.
    if (Status valid = ValidateSystemConfig(options.system, *cfg); !valid) {
        ReportInvalid(options, valid.error().message);
        return 2;
    }
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
