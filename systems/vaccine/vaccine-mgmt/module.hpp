// The vaccine-mgmt service of system `vaccine`: its schema, REST adapter and event policies.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::vaccine {

service::ServiceModule VaccineMgmtModule();

}  // namespace reservo::vaccine
