// The mypage service of system `vaccine`: the reservation view, from events only.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::vaccine {

service::ServiceModule MyPageModule();

}  // namespace reservo::vaccine
