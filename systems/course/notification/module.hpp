// The notification service of system `course`: an SMS per application, cancellation and
// confirmation, kept as JSON documents.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::course {

service::ServiceModule NotificationModule();

}  // namespace reservo::course
