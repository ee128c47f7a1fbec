// The services of system `hotel`, for the composition root (cli/catalog.cpp), in no particular
// order: the port order is the `services` list of system.yaml.
//
//   for (service::ServiceModule& module : hotel::HotelServices()) ...
#pragma once

#include <vector>

#include "kit/service/service.hpp"

namespace reservo::hotel {

// room, reservation, payment and reservation-view.
std::vector<service::ServiceModule> HotelServices();

}  // namespace reservo::hotel
