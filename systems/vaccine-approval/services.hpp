// The services of system `vaccine-approval`, for the composition root (cli/catalog.cpp), in no
// particular order: the port order is the `services` list of system.yaml.
//
//   for (service::ServiceModule& module : approval_system::VaccineApprovalServices()) ...
#pragma once

#include <vector>

#include "kit/service/service.hpp"

namespace reservo::approval_system {

// reservation, approval, vaccine-mgmt and mypage.
std::vector<service::ServiceModule> VaccineApprovalServices();

}  // namespace reservo::approval_system
