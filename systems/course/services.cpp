#include "systems/course/services.hpp"

#include "systems/course/course-management/module.hpp"
#include "systems/course/my-page/module.hpp"
#include "systems/course/notification/module.hpp"
#include "systems/course/professor-applyment/module.hpp"
#include "systems/course/professor-evaluation/module.hpp"

namespace reservo::course {

std::vector<service::ServiceModule> CourseServices() {
    return {CourseManagementModule(), ProfessorApplymentModule(), ProfessorEvaluationModule(), NotificationModule(),
            MyPageModule()};
}

}  // namespace reservo::course
