// The approval service of system `vaccine-approval`: its schema, the approving call and its policies.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::approval_system {

service::ServiceModule ApprovalModule();

}  // namespace reservo::approval_system
