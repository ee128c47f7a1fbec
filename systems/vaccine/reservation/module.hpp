// The reservation service of system `vaccine`: its schema, REST adapter and sweeper.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::vaccine {

service::ServiceModule ReservationModule();

}  // namespace reservo::vaccine
