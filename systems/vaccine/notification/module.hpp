// The notification service of system `vaccine`: records a message for every notifying event.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::vaccine {

service::ServiceModule NotificationModule();

}  // namespace reservo::vaccine
