// The reservation service of system `animal-hospital`: its REST adapter and its saga's sweeper.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

service::ServiceModule ReservationModule();

}  // namespace reservo::animal_hospital
