// The lookup service of system `animal-hospital`: each reservation's status with its diagnosis,
// treatment and payment, from events only.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

service::ServiceModule LookupModule();

}  // namespace reservo::animal_hospital
