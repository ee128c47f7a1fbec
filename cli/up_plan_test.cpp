#include "cli/up_plan.hpp"

#include <gtest/gtest.h>

#include <map>

namespace reservo::cli {
namespace {

// A config from YAML and a fake environment (which also overrides keys, as the real one does).
struct FakeSystem {
    std::map<std::string, std::string> env;
    Config::EnvLookup Lookup() const {
        return [env = env](const std::string& name) -> std::optional<std::string> {
            auto it = env.find(name);
            return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    }
    Config Load(const std::string& yaml) const { return Config::FromYaml(yaml, Lookup()).value(); }
};

constexpr const char* kPlainSystem = "system: demo\ngateway:\n  port: 8080\n";

ProcessSpec Planned(const UpPolicy& policy, const std::string& name) {
    ProcessSpec spec;
    spec.system = "demo";
    spec.name = name;
    spec.env = {{"RESERVO_LOG_LEVEL", "debug"}};
    ApplyUpPolicy(policy, spec);
    return spec;
}

std::string Faults(const ProcessSpec& spec) {
    std::string value = "(unset)";
    int seen = 0;
    for (const auto& [key, v] : spec.env) {
        if (key == "RESERVO_FAULTS") {
            value = v;
            ++seen;
        }
    }
    return seen > 1 ? "(set twice)" : value;
}

TEST(UpPolicy, FaultInjectionIsOffUnlessAskedForEvenWhenInherited) {
    FakeSystem system;
    UpPolicy policy = ReadUpPolicy(system.Load(kPlainSystem), false, system.Lookup());
    EXPECT_FALSE(policy.faults);
    // Explicitly 0: the supervisor's own environment must not switch it on in a child.
    EXPECT_EQ(Faults(Planned(policy, "gateway")), "0");
    EXPECT_EQ(Faults(Planned(policy, "reservation")), "0");
    EXPECT_EQ(Planned(policy, "reservation").env.front(),
              (std::pair<std::string, std::string>{"RESERVO_LOG_LEVEL", "debug"}));

    FakeSystem off{{{"RESERVO_FAULTS", "0"}}};
    EXPECT_FALSE(ReadUpPolicy(off.Load(kPlainSystem), false, off.Lookup()).faults);
}

TEST(UpPolicy, FaultsFlagOrEnvironmentReachesTheServicesButNeverTheGateway) {
    FakeSystem system;
    UpPolicy flagged = ReadUpPolicy(system.Load(kPlainSystem), true, system.Lookup());
    EXPECT_TRUE(flagged.faults);
    EXPECT_EQ(Faults(Planned(flagged, "reservation")), "1");
    EXPECT_EQ(Faults(Planned(flagged, "gateway")), "0");

    FakeSystem on{{{"RESERVO_FAULTS", "1"}}};
    UpPolicy inherited = ReadUpPolicy(on.Load(kPlainSystem), false, on.Lookup());
    EXPECT_TRUE(inherited.faults);
    EXPECT_EQ(Faults(Planned(inherited, "vaccine-mgmt")), "1");
    EXPECT_EQ(Faults(Planned(inherited, "gateway")), "0");
}

TEST(UpPolicy, GatewayListensOnAllInterfacesAndServicesOnLoopbackByDefault) {
    FakeSystem system;
    UpPolicy policy = ReadUpPolicy(system.Load(kPlainSystem), false, system.Lookup());
    EXPECT_EQ(Planned(policy, "gateway").bind_address, "0.0.0.0");
    EXPECT_EQ(Planned(policy, "mypage").bind_address, "127.0.0.1");
}

TEST(UpPolicy, BindAddressesComeFromTheSystemConfigAndTheEnvironment) {
    FakeSystem system;
    const std::string yaml = std::string(kPlainSystem) +
                             "  bind-address: 127.0.0.1\n"
                             "runtime:\n"
                             "  bind-address: 127.0.0.3\n";
    UpPolicy policy = ReadUpPolicy(system.Load(yaml), false, system.Lookup());
    EXPECT_EQ(Planned(policy, "gateway").bind_address, "127.0.0.1");
    EXPECT_EQ(Planned(policy, "mypage").bind_address, "127.0.0.3");

    FakeSystem overridden{{{"RESERVO_GATEWAY_BIND_ADDRESS", "10.1.2.3"}, {"RESERVO_RUNTIME_BIND_ADDRESS", "0.0.0.0"}}};
    policy = ReadUpPolicy(overridden.Load(yaml), false, overridden.Lookup());
    EXPECT_EQ(Planned(policy, "gateway").bind_address, "10.1.2.3");
    EXPECT_EQ(Planned(policy, "mypage").bind_address, "0.0.0.0");
}

}  // namespace
}  // namespace reservo::cli
