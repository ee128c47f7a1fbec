#include "cli/catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kit/service/topology.hpp"

namespace reservo::cli {
namespace {

// What catches a system added to RESERVO_SYSTEMS without its line in catalog.cpp, or a
// service listed in a YAML that no module serves.
TEST(Catalog, EverySystemHasAModuleForEachProcessOfItsYamlAndNoOther) {
    ASSERT_FALSE(SystemNames().empty());
    for (const std::string& system : SystemNames()) {
        SCOPED_TRACE(system);
        auto config = LoadSystemConfig(system);
        ASSERT_TRUE(config) << config.error().message;
        EXPECT_EQ(config->GetString("system"), system);
        auto modules = SystemModules(system);
        ASSERT_TRUE(modules) << modules.error().message;
        std::set<std::string> served;
        for (const service::ServiceModule& module : *modules) {
            EXPECT_EQ(module.system, system) << module.name;
            EXPECT_TRUE(module.wire) << module.name;
            EXPECT_TRUE(served.insert(module.name).second) << module.name << " registered twice";
        }
        auto processes = service::ProcessNames(*config);
        EXPECT_EQ(served, std::set<std::string>(processes.begin(), processes.end()));
        auto gateway = FindModule(system, "gateway");
        ASSERT_TRUE(gateway) << gateway.error().message;
        EXPECT_TRUE(gateway->edge);
    }
}

TEST(Catalog, TheVaccineSystemIsBuiltInWithItsFourServices) {
    auto names = SystemNames();
    EXPECT_NE(std::find(names.begin(), names.end(), "vaccine"), names.end());
    for (const char* service : {"vaccine-mgmt", "reservation", "notification", "mypage"}) {
        auto module = FindModule("vaccine", service);
        ASSERT_TRUE(module) << service << ": " << module.error().message;
        EXPECT_EQ(module->name, service);
        EXPECT_FALSE(module->edge);
    }
}

TEST(Catalog, UnknownSystemsAndServicesAreNotFound) {
    auto config = LoadSystemConfig("no-such-system");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, Code::kNotFound);
    EXPECT_NE(config.error().message.find("known: vaccine"), std::string::npos) << config.error().message;
    auto module = FindModule("vaccine", "no-such-service");
    ASSERT_FALSE(module);
    EXPECT_EQ(module.error().code, Code::kNotFound);
    EXPECT_EQ(FindModule("no-such-system", "gateway").error().code, Code::kNotFound);
}

}  // namespace
}  // namespace reservo::cli
