#include "cli/up_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

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

// A system's YAML with its bind addresses, which have no default in code.
std::string SystemYaml(const std::string& gateway_bind = "0.0.0.0", const std::string& service_bind = "127.0.0.1") {
    return "system: demo\ngateway:\n  port: 8080\n  bind-address: " + gateway_bind +
           "\nruntime:\n  bind-address: " + service_bind + "\n";
}
const std::string kPlainSystem = SystemYaml();

UpPolicy Read(const FakeSystem& system, const std::string& yaml, bool faults_flag = false) {
    auto policy = ReadUpPolicy(system.Load(yaml), faults_flag, system.Lookup());
    EXPECT_TRUE(policy) << policy.error().message;
    return policy.value_or(UpPolicy{});
}

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
    UpPolicy policy = Read(system, kPlainSystem);
    EXPECT_FALSE(policy.faults);
    // Explicitly 0: the supervisor's own environment must not switch it on in a child.
    EXPECT_EQ(Faults(Planned(policy, "gateway")), "0");
    EXPECT_EQ(Faults(Planned(policy, "reservation")), "0");
    EXPECT_EQ(Planned(policy, "reservation").env.front(),
              (std::pair<std::string, std::string>{"RESERVO_LOG_LEVEL", "debug"}));

    FakeSystem off{{{"RESERVO_FAULTS", "0"}}};
    EXPECT_FALSE(Read(off, kPlainSystem).faults);
}

TEST(UpPolicy, FaultsFlagOrEnvironmentReachesTheServicesButNeverTheGateway) {
    FakeSystem system;
    UpPolicy flagged = Read(system, kPlainSystem, true);
    EXPECT_TRUE(flagged.faults);
    EXPECT_EQ(Faults(Planned(flagged, "reservation")), "1");
    EXPECT_EQ(Faults(Planned(flagged, "gateway")), "0");

    FakeSystem on{{{"RESERVO_FAULTS", "1"}}};
    UpPolicy inherited = Read(on, kPlainSystem);
    EXPECT_TRUE(inherited.faults);
    EXPECT_EQ(Faults(Planned(inherited, "vaccine-mgmt")), "1");
    EXPECT_EQ(Faults(Planned(inherited, "gateway")), "0");
}

TEST(UpPolicy, BindAddressesComeFromTheSystemConfigAndTheEnvironment) {
    FakeSystem system;
    const std::string yaml = SystemYaml("127.0.0.1", "127.0.0.3");
    UpPolicy policy = Read(system, yaml);
    EXPECT_EQ(Planned(policy, "gateway").bind_address, "127.0.0.1");
    EXPECT_EQ(Planned(policy, "mypage").bind_address, "127.0.0.3");

    FakeSystem overridden{{{"RESERVO_GATEWAY_BIND_ADDRESS", "10.1.2.3"}, {"RESERVO_RUNTIME_BIND_ADDRESS", "0.0.0.0"}}};
    policy = Read(overridden, yaml);
    EXPECT_EQ(Planned(policy, "gateway").bind_address, "10.1.2.3");
    EXPECT_EQ(Planned(policy, "mypage").bind_address, "0.0.0.0");
}

TEST(UpPolicy, ABindAddressHasNoDefaultInCode) {
    FakeSystem system;
    auto policy =
        ReadUpPolicy(system.Load("system: demo\ngateway:\n  bind-address: 0.0.0.0\n"), false, system.Lookup());
    ASSERT_FALSE(policy);
    EXPECT_EQ(policy.error().message, "runtime.bind-address: required key missing");
}

// Two systems as `reservo up` gets them: the second with more services than the first.
constexpr const char* kVaccineYaml =
    "system: vaccine\n"
    "gateway:\n"
    "  port: 8080\n"
    "  bind-address: 0.0.0.0\n"
    "runtime:\n"
    "  bind-address: 127.0.0.1\n"
    "services:\n"
    "  - name: vaccine-mgmt\n"
    "  - name: reservation\n";
constexpr const char* kHotelYaml =
    "system: hotel\n"
    "gateway:\n"
    "  port: 8280\n"
    "  bind-address: 0.0.0.0\n"
    "runtime:\n"
    "  bind-address: 127.0.0.1\n"
    "services:\n"
    "  - name: room\n"
    "  - name: reservation\n"
    "  - name: payment\n";

std::vector<SystemToStart> TwoSystems(const FakeSystem& env = {}) {
    return {{"vaccine", env.Load(kVaccineYaml)}, {"hotel", env.Load(kHotelYaml)}};
}

UpOptions Options(std::optional<int> port_base) {
    return UpOptions{
        .port_base = port_base, .data_dir = "/srv/data", .exe = "/bin/reservo", .env = FakeSystem().Lookup()};
}

using Placed = std::tuple<std::string, std::string, int>;  // system, process, port

std::vector<Placed> Placement(const std::vector<ProcessSpec>& specs) {
    std::vector<Placed> out;
    for (const ProcessSpec& spec : specs) out.emplace_back(spec.system, spec.name, spec.port);
    return out;
}

TEST(PlanUp, EverySystemOnItsOwnPortsFromItsYaml) {
    auto specs = PlanUp(TwoSystems(), Options(std::nullopt));
    ASSERT_TRUE(specs) << specs.error().message;
    EXPECT_EQ(Placement(*specs), (std::vector<Placed>{{"vaccine", "gateway", 8080},
                                                      {"vaccine", "vaccine-mgmt", 8081},
                                                      {"vaccine", "reservation", 8082},
                                                      {"hotel", "gateway", 8280},
                                                      {"hotel", "room", 8281},
                                                      {"hotel", "reservation", 8282},
                                                      {"hotel", "payment", 8283}}));
    // Each process is `reservo serve` of its own system, with its system's base and data.
    const ProcessSpec& payment = specs->back();
    EXPECT_EQ(payment.argv, (std::vector<std::string>{"/bin/reservo", "serve", "hotel/payment", "--port", "8283",
                                                      "--port-base", "8280", "--data", "/srv/data/hotel"}));
    EXPECT_EQ(payment.log_path, "/srv/data/hotel/logs/payment.log");
    EXPECT_EQ((*specs)[1].argv[6], "8080");
    EXPECT_EQ((*specs)[1].log_path, "/srv/data/vaccine/logs/vaccine-mgmt.log");
}

TEST(PlanUp, PortBaseGivesTheIthSystemStartedNPlus100TimesI) {
    auto specs = PlanUp(TwoSystems(), Options(9000));
    ASSERT_TRUE(specs) << specs.error().message;
    EXPECT_EQ(Placement(*specs), (std::vector<Placed>{{"vaccine", "gateway", 9000},
                                                      {"vaccine", "vaccine-mgmt", 9001},
                                                      {"vaccine", "reservation", 9002},
                                                      {"hotel", "gateway", 9100},
                                                      {"hotel", "room", 9101},
                                                      {"hotel", "reservation", 9102},
                                                      {"hotel", "payment", 9103}}));
    EXPECT_EQ(specs->back().argv[6], "9100");  // --port-base of hotel's processes

    // The order started decides, not the system.
    std::vector<SystemToStart> reversed = TwoSystems();
    std::reverse(reversed.begin(), reversed.end());
    auto swapped = PlanUp(reversed, Options(9000));
    ASSERT_TRUE(swapped) << swapped.error().message;
    EXPECT_EQ(Placement(*swapped).front(), (Placed{"hotel", "gateway", 9000}));
    EXPECT_EQ(Placement(*swapped)[4], (Placed{"vaccine", "gateway", 9100}));
}

TEST(PlanUp, GatewaysStopFirstAndThePolicyAppliesToEverySystem) {
    auto specs = PlanUp(
        TwoSystems(), UpOptions{.data_dir = "/d", .exe = "/bin/reservo", .faults = true, .env = FakeSystem().Lookup()});
    ASSERT_TRUE(specs) << specs.error().message;
    for (const ProcessSpec& spec : *specs) {
        bool gateway = spec.name == "gateway";
        EXPECT_EQ(spec.shutdown_phase, gateway ? 0 : 1) << spec.system << "/" << spec.name;
        EXPECT_EQ(spec.bind_address, gateway ? "0.0.0.0" : "127.0.0.1") << spec.system << "/" << spec.name;
        EXPECT_EQ(Faults(spec), gateway ? "0" : "1") << spec.system << "/" << spec.name;
    }
}

TEST(PlanUp, RefusesOverlappingPortsAndASystemNamedTwice) {
    FakeSystem env;
    // hotel's gateway on vaccine's reservation port.
    std::string hotel = kHotelYaml;
    hotel.replace(hotel.find("8280"), 4, "8082");
    std::vector<SystemToStart> overlapping = {{"vaccine", env.Load(kVaccineYaml)}, {"hotel", env.Load(hotel)}};
    auto clash = PlanUp(overlapping, Options(std::nullopt));
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().message,
              "port 8082 planned for both vaccine/reservation and hotel/gateway; change a gateway.port or use "
              "--port-base");
    // --port-base separates them.
    EXPECT_TRUE(PlanUp(overlapping, Options(8000)));

    std::vector<SystemToStart> twice = {{"vaccine", env.Load(kVaccineYaml)}, {"vaccine", env.Load(kVaccineYaml)}};
    auto doubled = PlanUp(twice, Options(8000));
    ASSERT_FALSE(doubled);
    EXPECT_EQ(doubled.error().message, "system vaccine named twice");
}

TEST(PlanUp, AKeyAConfigurationLacksIsNamedWithItsSystem) {
    FakeSystem env;
    std::string hotel = kHotelYaml;
    hotel.erase(hotel.find("  port: 8280\n"), 13);
    auto planned = PlanUp({{"vaccine", env.Load(kVaccineYaml)}, {"hotel", env.Load(hotel)}}, Options(std::nullopt));
    ASSERT_FALSE(planned);
    EXPECT_EQ(planned.error().message, "hotel: gateway.port: required key missing");
}

}  // namespace
}  // namespace reservo::cli
