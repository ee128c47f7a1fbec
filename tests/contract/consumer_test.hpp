// The consumer side of a contract: the consumer's real process (`reservo serve SYSTEM/SERVICE`) runs
// against a StubProvider answering from the contract, its dependency URL set by environment as a
// ConfigMap would. Each test arms one interaction, drives the consumer through its public API, and
// checks the call it made; the suite also checks that every interaction is exercised or explained.
//
//   class ReservationConsumer : public ConsumerContractTest {
//     protected:
//       static void SetUpTestSuite() {
//           StartConsumer({.contract = "systems/vaccine/contracts/reservation-vaccine-mgmt.json",
//                          .consumer = "vaccine/reservation", .dependency = "vaccine-mgmt"});
//       }
//   };
//   TEST_F(ReservationConsumer, Reserves) {
//       Reply r = Exercise(kById, [&] { return http_.Call(consumer_->port(), "POST", "/reservations", body); });
//       EXPECT_EQ(r.status, 201);
//   }
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "tests/contract/contract.hpp"

namespace reservo::contract {

struct ConsumerSetup {
    std::string contract;    // below the source tree: "systems/vaccine/contracts/reservation-vaccine-mgmt.json"
    std::string consumer;    // "vaccine/reservation"
    std::string dependency;  // the provider as the consumer's YAML names it: "vaccine-mgmt"
};

class ConsumerContractTest : public ::testing::Test {
  protected:
    // Loads the contract, starts the stub and serves the consumer against it (fails the suite otherwise).
    static void StartConsumer(const ConsumerSetup& setup);
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;  // the consumer's log after a failure

    // Arms the stub with `interaction`, runs `call` (the consumer's public API), and checks that the
    // consumer called the provider exactly once, with a request the contract allows. `call`'s answer.
    e2e::Reply Exercise(std::string_view interaction, const std::function<e2e::Reply()>& call);
    // The stub's answer to `interaction`, as the consumer received it.
    bj::object StubAnswer(std::string_view interaction);
    // Every interaction of the contract is in `exercised` or in `provider_only` (which says why the
    // consumer cannot be made to send it), and every name there is one of the contract's.
    void ExpectEveryInteractionCovered(const std::set<std::string_view>& exercised,
                                       const std::map<std::string_view, std::string_view>& provider_only);

    // Events of `type` about `subject` in the consumer's event log.
    static int EventsOf(std::string_view type, int64_t subject);
    // The next row of `table` in the consumer's store `store_file` (in its data directory) gets `id`
    // (SQLite AUTOINCREMENT): for contracts that name the consumer's ids literally.
    static void SetNextId(std::string_view store_file, std::string_view table, int64_t id);

    static std::unique_ptr<Contract> contract_;
    static std::unique_ptr<StubProvider> stub_;
    static std::unique_ptr<e2e::ServedService> consumer_;
    static ConsumerSetup setup_;
    e2e::Http http_;
};

}  // namespace reservo::contract
