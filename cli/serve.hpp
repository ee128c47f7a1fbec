// `reservo serve SYSTEM/SERVICE`: runs one process of a system in the foreground — what a
// container runs, and what `reservo up` starts for each process.
//
//   return Serve({.system = "vaccine", .service = "reservation", .data_dir = "/srv/data"});
#pragma once

#include <optional>
#include <string>

namespace reservo::cli {

struct ServeOptions {
    std::string system;
    std::string service;  // "gateway" or a service name
    std::optional<int> port;
    std::optional<int> port_base;
    std::string data_dir = "./data";
    std::optional<std::string> config_file;
};

// Runs the service until SIGTERM/SIGINT, then drains. Returns the exit code: 2, before anything
// opens, when the configuration (with the environment and the port base) is invalid, after
// printing every problem on stderr (cli/catalog.hpp ValidateSystemConfig). Listens on the
// inherited socket in $RESERVO_LISTEN_FD when set, else binds the port itself with
// SO_REUSEPORT; RESERVO_FAULTS=1 enables fault injection.
int Serve(const ServeOptions& options);

}  // namespace reservo::cli
