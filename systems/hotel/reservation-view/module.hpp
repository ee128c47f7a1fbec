// The reservation-view service of system `hotel`: the reservations as users follow them, from
// events only.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::hotel {

service::ServiceModule ReservationViewModule();

}  // namespace reservo::hotel
