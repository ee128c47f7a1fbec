// The services of system `course`, for the composition root (cli/catalog.cpp), in no particular
// order: the port order is the `services` list of system.yaml.
//
//   for (service::ServiceModule& module : course::CourseServices()) ...
#pragma once

#include <vector>

#include "kit/service/service.hpp"

namespace reservo::course {

// course-management, professor-applyment, professor-evaluation, notification and my-page.
std::vector<service::ServiceModule> CourseServices();

}  // namespace reservo::course
