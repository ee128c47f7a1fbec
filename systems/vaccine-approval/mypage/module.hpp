// The mypage service of system `vaccine-approval`: the reservation view, from events only.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::approval_system {

service::ServiceModule MyPageModule();

}  // namespace reservo::approval_system
