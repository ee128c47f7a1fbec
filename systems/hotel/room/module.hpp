// The room service of system `hotel`: rooms, their charges, and the policies that keep them.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::hotel {

service::ServiceModule RoomModule();

}  // namespace reservo::hotel
