// The diagnosis service of system `animal-hospital`: medical records, opened synchronously for
// reservation, treated by the doctor, and following their reservation's events.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

service::ServiceModule DiagnosisModule();

}  // namespace reservo::animal_hospital
