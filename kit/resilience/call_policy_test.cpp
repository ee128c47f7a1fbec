#include "kit/resilience/call_policy.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace reservo {
namespace {

constexpr const char* kPrefix = "services.reservation.dependencies.vaccine-mgmt";

constexpr const char* kYaml = R"(
services:
  - name: vaccine-mgmt
  - name: reservation
    dependencies:
      vaccine-mgmt:
        timeout-ms: 600
        bulkhead: 256
        circuit-breaker:
          window-size: 30
          minimum-calls: 12
          failure-rate-threshold: 40
          slow-call-duration-ms: 450
          slow-call-rate-threshold: 75.5
          open-wait-ms: 3000
          half-open-calls: 4
        retry:
          max-attempts: 3
          backoff-ms: 25
          budget-percent: 10
      payment:
        timeout-ms: 900
        bulkhead: 8
        circuit-breaker:
          window-size: 10
          minimum-calls: 5
          failure-rate-threshold: 50
          slow-call-duration-ms: 800
          slow-call-rate-threshold: 80
          open-wait-ms: 1000
          half-open-calls: 2
      mypage:
        timeout-ms: 900
)";

Config::EnvLookup FakeEnv(std::map<std::string, std::string> vars = {}) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(CallPolicyTest, ReadsEveryKeyUnderThePrefix) {
    const auto config = Config::FromYaml(kYaml, FakeEnv()).value();
    const CallPolicy policy = CallPolicy::FromConfig(config, kPrefix).value();
    EXPECT_EQ(policy.timeout, Millis{600});
    EXPECT_EQ(policy.bulkhead, 256);
    EXPECT_EQ(policy.breaker.window_size, 30);
    EXPECT_EQ(policy.breaker.minimum_calls, 12);
    EXPECT_DOUBLE_EQ(policy.breaker.failure_rate_threshold, 40);
    EXPECT_EQ(policy.breaker.slow_call_duration, Millis{450});
    EXPECT_DOUBLE_EQ(policy.breaker.slow_call_rate_threshold, 75.5);
    EXPECT_EQ(policy.breaker.open_wait, Millis{3000});
    EXPECT_EQ(policy.breaker.half_open_calls, 4);
    EXPECT_EQ(policy.retry.max_attempts, 3);
    EXPECT_EQ(policy.retry.backoff, Millis{25});
    EXPECT_DOUBLE_EQ(policy.retry.budget_percent, 10);
    EXPECT_TRUE(policy.Validate().has_value());
}

TEST(CallPolicyTest, RetryIsOptionalAndOffWithoutIt) {
    const auto config = Config::FromYaml(kYaml, FakeEnv()).value();
    const CallPolicy policy = CallPolicy::FromConfig(config, "services.reservation.dependencies.payment").value();
    EXPECT_EQ(policy.timeout, Millis{900});
    EXPECT_EQ(policy.bulkhead, 8);
    EXPECT_EQ(policy.breaker.window_size, 10);
    EXPECT_EQ(policy.breaker.half_open_calls, 2);
    EXPECT_EQ(policy.retry.max_attempts, 1);  // no retry
    EXPECT_TRUE(policy.answers_5xx_fail);
}

TEST(CallPolicyTest, TheOtherKeysHaveNoDefaultInCode) {
    const auto config = Config::FromYaml(kYaml, FakeEnv()).value();
    auto policy = CallPolicy::FromConfig(config, "services.reservation.dependencies.mypage");
    ASSERT_FALSE(policy);
    EXPECT_EQ(policy.error().message, "services.reservation.dependencies.mypage.bulkhead: required key missing");
    auto bad =
        Config::FromYaml(kYaml, FakeEnv({{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_BULKHEAD", "x"}}));
    EXPECT_EQ(CallPolicy::FromConfig(bad.value(), kPrefix).error().message,
              std::string(kPrefix) +
                  ".bulkhead: expected a whole number, got 'x' (from "
                  "RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_BULKHEAD)");
}

TEST(CallPolicyTest, KeysThatDoNotHoldTogetherAreNamed) {
    const auto config =
        Config::FromYaml(kYaml, FakeEnv({{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_"
                                          "MINIMUM_CALLS",
                                          "31"}}))
            .value();
    EXPECT_EQ(CallPolicy::FromConfig(config, kPrefix).error().message,
              std::string(kPrefix) + ".circuit-breaker.minimum-calls: must be between 1 and window-size");
}

TEST(CallPolicyTest, AProxyTakesTheRoutesTimeoutAndNeverRetries) {
    const auto config = Config::FromYaml(kYaml, FakeEnv()).value();
    const CallPolicy policy = CallPolicy::ForProxy(config, kPrefix, Millis{2000}).value();
    EXPECT_EQ(policy.timeout, Millis{2000});
    EXPECT_EQ(policy.bulkhead, 256);
    EXPECT_EQ(policy.breaker.window_size, 30);
    EXPECT_EQ(policy.retry.max_attempts, 1);  // the prefix's retry is not read
    EXPECT_FALSE(policy.answers_5xx_fail);
}

TEST(CallPolicyTest, EnvironmentOverridesAKey) {
    const auto config =
        Config::FromYaml(kYaml, FakeEnv({{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_"
                                          "OPEN_WAIT_MS",
                                          "500"}}))
            .value();
    EXPECT_EQ(CallPolicy::FromConfig(config, kPrefix).value().breaker.open_wait, Millis{500});
}

TEST(CallPolicyTest, ValidateNamesTheBadKey) {
    CallPolicy policy;
    policy.timeout = Millis{0};
    EXPECT_NE(policy.Validate().error().message.find("timeout-ms"), std::string::npos);
    policy = CallPolicy{};
    policy.bulkhead = 0;
    EXPECT_NE(policy.Validate().error().message.find("bulkhead"), std::string::npos);
    policy = CallPolicy{};
    policy.breaker.half_open_calls = 0;
    EXPECT_NE(policy.Validate().error().message.find("circuit-breaker.half-open-calls"), std::string::npos);
    policy = CallPolicy{};
    policy.retry.max_attempts = 0;
    EXPECT_NE(policy.Validate().error().message.find("retry.max-attempts"), std::string::npos);
}

// The keys this library reads must be the ones the system YAML declares: read the real file.
TEST(CallPolicyTest, MatchesTheVaccineSystemYaml) {
    const std::filesystem::path path = std::filesystem::path(RESERVO_SOURCE_DIR) / "systems/vaccine/system.yaml";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream text;
    text << in.rdbuf();
    const auto config = Config::FromYaml(text.str(), FakeEnv()).value();
    const CallPolicy policy = CallPolicy::FromConfig(config, kPrefix).value();
    const std::string p = std::string(kPrefix) + ".";
    auto declared = [&](const std::string& key) {
        EXPECT_TRUE(config.Find(p + key).has_value()) << p + key << " is not in " << path;
        return config.GetDouble(p + key, -1);
    };
    EXPECT_EQ(policy.timeout.count(), declared("timeout-ms"));
    EXPECT_EQ(policy.bulkhead, declared("bulkhead"));
    EXPECT_EQ(policy.breaker.window_size, declared("circuit-breaker.window-size"));
    EXPECT_EQ(policy.breaker.minimum_calls, declared("circuit-breaker.minimum-calls"));
    EXPECT_EQ(policy.breaker.failure_rate_threshold, declared("circuit-breaker.failure-rate-threshold"));
    EXPECT_EQ(policy.breaker.slow_call_duration.count(), declared("circuit-breaker.slow-call-duration-ms"));
    EXPECT_EQ(policy.breaker.slow_call_rate_threshold, declared("circuit-breaker.slow-call-rate-threshold"));
    EXPECT_EQ(policy.breaker.open_wait.count(), declared("circuit-breaker.open-wait-ms"));
    EXPECT_EQ(policy.breaker.half_open_calls, declared("circuit-breaker.half-open-calls"));
    EXPECT_TRUE(policy.Validate().has_value()) << policy.Validate().error().message;
}

}  // namespace
}  // namespace reservo
