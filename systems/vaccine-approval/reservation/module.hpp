// The reservation service of system `vaccine-approval`: its schema, REST adapter and policies.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::approval_system {

service::ServiceModule ReservationModule();

}  // namespace reservo::approval_system
