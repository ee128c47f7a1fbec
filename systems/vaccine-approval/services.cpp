#include "systems/vaccine-approval/services.hpp"

#include "systems/vaccine-approval/approval/module.hpp"
#include "systems/vaccine-approval/mypage/module.hpp"
#include "systems/vaccine-approval/reservation/module.hpp"
#include "systems/vaccine-approval/vaccine-mgmt/module.hpp"

namespace reservo::approval_system {

std::vector<service::ServiceModule> VaccineApprovalServices() {
    return {ReservationModule(), ApprovalModule(), VaccineMgmtModule(), MyPageModule()};
}

}  // namespace reservo::approval_system
