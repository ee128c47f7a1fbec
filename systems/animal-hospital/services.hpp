// The services of system `animal-hospital`, for the composition root (cli/catalog.cpp), in no
// particular order: the port order is the `services` list of system.yaml.
//
//   for (service::ServiceModule& module : animal_hospital::AnimalHospitalServices()) ...
#pragma once

#include <vector>

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

// reservation, diagnosis, acceptance, notice and lookup.
std::vector<service::ServiceModule> AnimalHospitalServices();

}  // namespace reservo::animal_hospital
