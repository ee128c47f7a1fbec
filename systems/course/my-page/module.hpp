// The my-page service of system `course`: each course's application and confirmation state as
// professors follow it, from events only.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::course {

service::ServiceModule MyPageModule();

}  // namespace reservo::course
