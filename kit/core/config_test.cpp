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

TEST(ConfigTest, RequiredReadersNameTheKeyAndTheVariable) {
    auto cfg =
        Config::FromYaml(kYaml, FakeEnv({{"RESERVO_GATEWAY_PORT", "eighty"},
                                         {"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_BULKHEAD", "8"},
                                         {"RESERVO_GATEWAY_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"}}))
            .value();
    EXPECT_EQ(cfg.RequireString("system").value(), "vaccine");
    EXPECT_EQ(cfg.RequireMillis("services.reservation.dependencies.vaccine-mgmt.timeout-ms").value(),
              std::chrono::milliseconds(600));
    EXPECT_EQ(cfg.RequireInt("services.reservation.dependencies.vaccine-mgmt.bulkhead").value(), 8);

    auto port = cfg.RequireInt("gateway.port");
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().code, Code::kInvalidArgument);
    EXPECT_EQ(port.error().message, "gateway.port: expected a whole number, got 'eighty' (from RESERVO_GATEWAY_PORT)");

    auto missing = cfg.RequireBool("store.accept-new");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "store.accept-new: required key missing");
    EXPECT_EQ(cfg.RequireDouble("gateway.rate-limit.burst").error().message,
              "gateway.rate-limit.burst: required key missing");
    EXPECT_EQ(cfg.RequireList("gateway.trusted-proxies").value(), (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
    EXPECT_EQ(cfg.RequireList("services.vaccine-mgmt.routes").value(), (std::vector<std::string>{"/vaccineMgmts/**"}));
    EXPECT_FALSE(cfg.RequireList("services.reservation.routes"));
    EXPECT_EQ(cfg.EnvOverride("gateway.port"), "eighty");
    EXPECT_EQ(cfg.EnvOverride("system"), std::nullopt);
}

TEST(ConfigTest, RequiredReadersParseStrictly) {
    auto cfg = Config::FromYaml("a: -5\nb: 1.5\nc: yes\nd: nan\ne: 2x\n", FakeEnv({})).value();
    EXPECT_EQ(cfg.RequireInt("a").value(), -5);
    EXPECT_EQ(cfg.RequireMillis("a").error().message, "a: expected a whole number of milliseconds >= 0, got '-5'");
    EXPECT_EQ(cfg.RequireDouble("b").value(), 1.5);
    EXPECT_TRUE(cfg.RequireBool("c").value());
    EXPECT_FALSE(cfg.RequireDouble("d"));  // not a finite number
    EXPECT_FALSE(cfg.RequireInt("e"));
    EXPECT_EQ(cfg.GetDouble("d", 7), 7);
    EXPECT_EQ(Config::SplitList(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ConfigTest, RejectsInvalidYaml) {
    auto cfg = Config::FromYaml("a: [unclosed", FakeEnv({}));
    ASSERT_FALSE(cfg.has_value());
    EXPECT_EQ(cfg.error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace reservo
