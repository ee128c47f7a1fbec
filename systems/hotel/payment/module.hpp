// The payment service of system `hotel`: payments, paid synchronously for reservation and
// canceled or voided by its events.
#pragma once

#include "kit/service/service.hpp"

namespace reservo::hotel {

service::ServiceModule PaymentModule();

}  // namespace reservo::hotel
