#include "systems/animal-hospital/services.hpp"

#include "systems/animal-hospital/acceptance/module.hpp"
#include "systems/animal-hospital/diagnosis/module.hpp"
#include "systems/animal-hospital/lookup/module.hpp"
#include "systems/animal-hospital/notice/module.hpp"
#include "systems/animal-hospital/reservation/module.hpp"

namespace reservo::animal_hospital {

std::vector<service::ServiceModule> AnimalHospitalServices() {
    return {ReservationModule(), DiagnosisModule(), AcceptanceModule(), NoticeModule(), LookupModule()};
}

}  // namespace reservo::animal_hospital
