// The notice service of system `animal-hospital`: a KakaoTalk-style message on every reservation
// change, kept as `/notices`.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::animal_hospital {

service::ServiceModule NoticeModule();

}  // namespace reservo::animal_hospital
