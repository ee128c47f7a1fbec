// A step of a reservation's saga timeline, recorded in the caller's transaction: in a service it is
// service::Saga::Record (shown by GET /actuator/sagas/{reservationId}), in a use-case test a list.
//
//   Timeline log = [&saga](service::Tx& tx, const std::string& key, std::string step, std::string detail) {
//       return saga.Record(tx, key, std::move(step), std::move(detail));
//   };
#pragma once

#include <functional>
#include <string>

#include "kit/service/unit_of_work.hpp"

namespace reservo::hotel {

using Timeline = std::function<Status(service::Tx& tx, const std::string& key, std::string step, std::string detail)>;

}  // namespace reservo::hotel
