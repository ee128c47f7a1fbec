#include "kit/core/config.hpp"

#include <gtest/gtest.h>

namespace reservo {
namespace {

constexpr const char* kYaml = R"(
system: vaccine
gateway:
  port: 8080
services:
  - name: vaccine-mgmt
    routes: [/vaccineMgmts/**]
  - name: reservation
    dependencies:
      vaccine-mgmt:
        timeout-ms: 600
)";

Config::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
        auto it = vars.find(k);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(ConfigTest, ReadsNestedKeysAndListsByName) {
    auto cfg = Config::FromYaml(kYaml, FakeEnv({})).value();
    EXPECT_EQ(cfg.GetString("system"), "vaccine");
    EXPECT_EQ(cfg.GetInt("gateway.port", 0), 8080);
    EXPECT_EQ(cfg.GetInt("services.reservation.dependencies.vaccine-mgmt.timeout-ms", 0), 600);
    EXPECT_EQ(cfg.GetInt("services.1.dependencies.vaccine-mgmt.timeout-ms", 0), 600);
    EXPECT_EQ(cfg.Children("services"), (std::vector<std::string>{"vaccine-mgmt", "reservation"}));
    EXPECT_EQ(cfg.GetList("services.vaccine-mgmt.routes"), (std::vector<std::string>{"/vaccineMgmts/**"}));
}

TEST(ConfigTest, EnvironmentOverridesAnyKey) {
    auto cfg =
        Config::FromYaml(kYaml, FakeEnv({{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMEOUT_MS", "250"}}))
            .value();
    EXPECT_EQ(cfg.GetInt("services.reservation.dependencies.vaccine-mgmt.timeout-ms", 0), 250);
    EXPECT_EQ(Config::EnvName("gateway.port"), "RESERVO_GATEWAY_PORT");
}

TEST(ConfigTest, MissingAndMalformedValuesFallBack) {
    auto cfg = Config::FromYaml(kYaml, FakeEnv({{"RESERVO_GATEWAY_PORT", "eighty"}})).value();
    EXPECT_EQ(cfg.GetInt("gateway.port", 1), 1);
    EXPECT_EQ(cfg.GetInt("nope.nothing", 7), 7);
    EXPECT_FALSE(cfg.Find("services.unknown.port").has_value());
}

TEST(ConfigTest, RejectsInvalidYaml) {
    auto cfg = Config::FromYaml("a: [unclosed", FakeEnv({}));
    ASSERT_FALSE(cfg.has_value());
    EXPECT_EQ(cfg.error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace reservo
