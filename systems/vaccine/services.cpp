#include "systems/vaccine/services.hpp"

#include "systems/vaccine/mypage/module.hpp"
#include "systems/vaccine/notification/module.hpp"
#include "systems/vaccine/reservation/module.hpp"
#include "systems/vaccine/vaccine-mgmt/module.hpp"

namespace reservo::vaccine {

std::vector<service::ServiceModule> VaccineServices() {
    return {VaccineMgmtModule(), ReservationModule(), NotificationModule(), MyPageModule()};
}

}  // namespace reservo::vaccine
