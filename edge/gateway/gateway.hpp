// The API gateway: the single entry point of a system, routing by path predicates from the
// system YAML (Spring Cloud Gateway style: `routes: [/reservations/**]` under each service).
//
//   ServiceModule gateway = edge::GatewayModule("vaccine");
//
// Keep-alive upstream pools, a deadline per request, CORS, `X-Request-Id` and `traceparent`
// added when missing and forwarded, `X-Forwarded-*` so upstream links point at the gateway,
// and a JSON access log.
#pragma once

#include <string>

#include "kit/service/service.hpp"

namespace reservo::edge {

service::ServiceModule GatewayModule(const std::string& system);

}  // namespace reservo::edge
