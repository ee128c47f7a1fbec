// The listening sockets of supervised services.
//
// The supervisor, not the service, binds each service's TCP socket, once, and every process of
// the service inherits it as fd 3 (see launch.hpp). The replicas of a service, and the old and
// new process of a rolling restart, thus share one kernel accept queue: a connection waits
// there until some process accepts it, and none is refused while processes come and go.
//
//   Result<int> fd = OpenListener(spec);  // spec.bind_address:spec.port, listening
#pragma once

#include <string>

#include "cli/supervisor.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

// A close-on-exec IPv4 TCP socket bound to spec.bind_address:spec.port (SO_REUSEADDR, no
// SO_REUSEPORT: a port taken by anyone else is an error) and listening.
Result<int> OpenListener(const ProcessSpec& spec);

// Where the supervisor itself reaches a socket bound to `bind_address` (its probes).
std::string ProbeHost(const std::string& bind_address);

// The host part of the URL shown for a socket bound to `bind_address`.
std::string UrlHost(const std::string& bind_address);

}  // namespace reservo::cli
