// The reservation service of system `hotel`: its schema, REST adapter, event policies and sweeper.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::hotel {

service::ServiceModule ReservationModule();

}  // namespace reservo::hotel
