// The acceptance (billing) service of system `animal-hospital`: a bill per treatment, paid by the
// customer.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

service::ServiceModule AcceptanceModule();

}  // namespace reservo::animal_hospital
