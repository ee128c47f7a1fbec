// Provider verification: every contract under systems/*/contracts/ is run against its real
// provider (`reservo serve SYSTEM/SERVICE` on a fresh data directory). A provider change that
// breaks what a consumer relies on fails here, naming the contract, interaction and mismatch.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "tests/contract/contract.hpp"

namespace reservo::contract {
namespace {

std::vector<std::string> AllContracts() { return FindContracts(e2e::SourceDir()); }

TEST(ProviderContracts, AtLeastOneContractIsFound) {
    EXPECT_FALSE(AllContracts().empty()) << "no systems/*/contracts/*.json under " << e2e::SourceDir();
}

class ProviderContract : public ::testing::TestWithParam<std::string> {};

TEST_P(ProviderContract, TheRealProviderHonoursIt) {
    auto contract = LoadContract(GetParam());
    ASSERT_TRUE(contract) << contract.error().message;
    std::vector<std::string> failures = VerifyRealProvider(*contract);
    for (const auto& failure : failures) ADD_FAILURE() << failure;
    if (failures.empty()) {
        std::cout << "[ contract ] " << contract->file << ": " << contract->interactions.size()
                  << " interactions honoured by " << contract->provider << "\n";
    }
}

// "systems/vaccine/contracts/reservation-vaccine-mgmt.json" → "vaccine_reservation_vaccine_mgmt".
std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
    std::filesystem::path path(info.param);
    std::string name = path.parent_path().parent_path().filename().string() + "_" + path.stem().string();
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Systems, ProviderContract, ::testing::ValuesIn(AllContracts()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ProviderContract);

}  // namespace
}  // namespace reservo::contract
