// The professor-evaluation service of system `course`: an evaluation per application, whose
// positive verdict confirms the professor synchronously on course-management.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::course {

service::ServiceModule ProfessorEvaluationModule();

}  // namespace reservo::course
