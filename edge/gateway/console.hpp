// The web console of a system's gateway: its pages, compiled into the binary, and the JSON they
// read, drawn from the system's YAML, its services' actuators and its event log.
//
//   GET  /console                  → 308 to /console/
//   GET  /console/, /console/FILE  the pages (edge/gateway/console/assets/), ETag and 304, no-cache
//   GET  /console/api/system       services in YAML order: routes, internal endpoints, calls, event flows
//   GET  /console/api/status       each service's health, readiness, circuits, consumer lag, outbox
//                                  backlog and dead letters, asked of its own port, in parallel
//   GET  /console/api/deadletters  every service's parked events
//   POST /console/api/deadletters/{service}/{id}/replay   that service's replay, answered as it answers
//   GET  /events?subject=KEY       the events of one correlation key, in log order (a saga's timeline)
//
// The pages are public; everything else shows operator data or changes state, so it answers only
// clients in `gateway.console.operators` (the TCP peer, or the client a trusted proxy names) and
// 403 to others. `gateway.console.enabled: false` leaves all of it out (404).
//
//   Console console(ctx, settings, {{"reservation", "http://127.0.0.1:8082"}, ...}, trusted_proxies, upstreams);
//   console.Wire();
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edge/gateway/address_list.hpp"
#include "kit/service/service.hpp"

namespace reservo::edge {

struct ConsoleSettings {
    bool enabled = true;                 // gateway.console.enabled
    std::vector<std::string> operators;  // gateway.console.operators: addresses or CIDR ranges
};

// A service of the system as the console reaches it: at its own port, where its actuator answers
// (the gateway never routes /actuator).
struct ConsoleService {
    std::string name;
    std::string url;
};

class Console final {
  public:
    // `trusted_proxies` and `upstreams` (the gateway's own breakers, for its circuits) must outlive it.
    Console(service::ServiceContext& ctx, ConsoleSettings settings, std::vector<ConsoleService> services,
            const AddressList& trusted_proxies, std::vector<const service::Dependency*> upstreams);
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    // Adds the routes to the gateway's router; none when the console is disabled.
    void Wire();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace reservo::edge
