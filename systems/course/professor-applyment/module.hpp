// The professor-applyment service of system `course`: one application entry per course, applied
// for and canceled by professors, closed with its course.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::course {

service::ServiceModule ProfessorApplymentModule();

}  // namespace reservo::course
