// Use-case tests of system `hotel` (kit/service/use_case_test_support.hpp), with a timeline that is
// a list the test reads.
//
//   class PaymentsTest : public hotel::UseCaseTest {};
//   TEST_F(PaymentsTest, Pays) {
//       auto tx = Tx();
//       ...
//       EXPECT_EQ(Published<PayCompleted>().size(), 1u);
//   }
#pragma once

#include <string>
#include <vector>

#include "kit/service/use_case_test_support.hpp"
#include "systems/hotel/timeline.hpp"

namespace reservo::hotel {

class UseCaseTest : public service::UseCaseTest {
  protected:
    // Records a step as Saga::Record would.
    Timeline Steps() {
        return [this](service::Tx&, const std::string& key, std::string step, std::string) {
            steps_.push_back(key + ":" + step);
            return Ok();
        };
    }

    std::vector<std::string> steps_;  // "key:step"
};

}  // namespace reservo::hotel
