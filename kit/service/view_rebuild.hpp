// Rebuilding a CQRS view online, while it keeps answering.
//
//   POST /actuator/views/rebuild   → 202 {"state":"running", ...}; 409 while one runs
//   GET  /actuator/views/rebuild   → {"state":"idle|running|done|failed", "applied":..., ...}
//
// A consumer group of its own replays the whole event log (what retention kept) into shadow
// tables of the service's views (`<table>__rebuild`), through the same projection handlers, while
// the live tables keep serving and the service's own consumer keeps them current. Once the replay
// has reached the end of every partition, one transaction swaps each shadow in for its table and
// hands the replay's inbox records to the service's group, so nothing is applied twice afterwards.
// Projections register themselves (kit/service/projection.hpp); nothing to wire by hand.
#pragma once

#include <string>
#include <vector>

#include "kit/service/service.hpp"

namespace reservo::service {

class View;

// Makes `view` rebuildable through the service's actuator (the first call adds the endpoints).
void RegisterView(ServiceContext& ctx, const View& view);
// The tables of the views registered by this service.
std::vector<std::string> ViewTables(ServiceContext& ctx);

}  // namespace reservo::service
