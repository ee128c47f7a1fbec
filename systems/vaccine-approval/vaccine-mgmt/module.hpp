// The vaccine-mgmt service of system `vaccine-approval`: its schema, REST adapter and event policies.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::approval_system {

service::ServiceModule VaccineMgmtModule();

}  // namespace reservo::approval_system
