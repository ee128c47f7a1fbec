// The services of system `vaccine`, for the composition root (cli/catalog.cpp), in no
// particular order: the port order is the `services` list of system.yaml.
//
//   for (service::ServiceModule& module : vaccine::VaccineServices()) ...
#pragma once

#include <vector>

#include "kit/service/service.hpp"

namespace reservo::vaccine {

// vaccine-mgmt, reservation, notification and mypage.
std::vector<service::ServiceModule> VaccineServices();

}  // namespace reservo::vaccine
