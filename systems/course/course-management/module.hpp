// The course-management service of system `course`: courses registered, changed and canceled by
// the course team, and the professor set by professor-evaluation's synchronous call.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::course {

service::ServiceModule CourseManagementModule();

}  // namespace reservo::course
