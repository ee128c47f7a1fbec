// The fixture's system-independent API, as a test of a new system uses it: start a system by
// name on a chosen port base, find its services and ports from the running system, control a
// service by name, wait for a condition, read counts. Vaccine stands in for any system here; only
// the bodies of the two POSTs know its API.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

int g_port_base = 0;

class FixtureE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() {
        g_port_base = ReservePorts(10);
        StartSystem({.system = "vaccine", .port_base = g_port_base, .up_args = {}});
    }
};

TEST_F(FixtureE2E, ServicesAndPortsComeFromTheRunningSystem) {
    EXPECT_EQ(system().name(), "vaccine");
    EXPECT_EQ(gateway(), g_port_base) << "the chosen port base";
    // The YAML's order (systems/vaccine/system.yaml), read from `reservo status`.
    EXPECT_EQ(system().services(), (std::vector<std::string>{"vaccine-mgmt", "reservation", "notification", "mypage"}));
    for (size_t i = 0; i < system().services().size(); ++i) {
        const std::string& service = system().services()[i];
        EXPECT_EQ(PortOf(service), g_port_base + 1 + static_cast<int>(i)) << service;
        EXPECT_EQ(CallService(service, "GET", "/actuator/health/readiness").status, 200) << service;
        EXPECT_EQ(system().Target(service), "vaccine/" + service);
    }
    EXPECT_EQ(PortOf("gateway"), g_port_base);
    EXPECT_EQ(PortOf("no-such-service"), -1);
    EXPECT_EQ(system().partitions(), 4);
    EXPECT_EQ(Call("GET", "/actuator/health/readiness").status, 200);
}

TEST_F(FixtureE2E, ServicesAreControlledByName) {
    std::vector<pid_t> killed = system().KillService("notification");
    ASSERT_EQ(killed.size(), 1u);
    EXPECT_TRUE(system().WaitReplaced("notification", killed)) << "a crashed service is restarted";

    ScaleService("notification", 2);
    EXPECT_EQ(system().Pids("notification").size(), 2u);
    std::vector<pid_t> two = system().Pids("notification");
    RestartService("notification");
    std::vector<pid_t> restarted = system().Pids("notification");
    EXPECT_EQ(restarted.size(), 2u);
    for (pid_t pid : restarted) EXPECT_EQ(std::count(two.begin(), two.end(), pid), 0) << "replaced: " << pid;

    StopService("notification");
    EXPECT_EQ(AsInt(system().ServiceStatus("notification")["ready"]), 0);
    std::string why;
    EXPECT_FALSE(system().AllReady(&why));
    SetUp();  // what every test starts with: all running, one replica each
    EXPECT_TRUE(system().AllReady(&why)) << why;
    EXPECT_EQ(system().Pids("notification").size(), 1u);
}

TEST_F(FixtureE2E, CountsAndRowsAreReadFromCollections) {
    int64_t before = TotalElements("/vaccineMgmts");
    ASSERT_GE(before, 0);
    std::string hospital = UniqueName("fixture");
    for (int i = 0; i < 3; ++i) {
        Reply r =
            Call("POST", "/vaccineMgmts",
                 R"({"vaccineType":"pfizer","hospital":")" + hospital + R"(","availableDate":"2026-12-01","qty":1})");
        ASSERT_EQ(r.status, 201) << r.Describe();
    }
    EXPECT_EQ(TotalElements("/vaccineMgmts"), before + 3);
    EXPECT_EQ(RowsWhere("/vaccineMgmts", "hospital", hospital).size(), 3u);
    EXPECT_TRUE(Eventually([&] { return RowsWhere("/notifications", "eventType", "VaccineRegistered").size() >= 3; }))
        << "events reach the other services";
    EXPECT_TRUE(Eventually([&] { return ConsumerCaughtUp("notification"); }));
}

TEST(FixtureStart, AnUnknownSystemIsAClearError) {
    std::string error;
    EXPECT_FALSE(System::Start({.system = "no-such-system"}, &error));
    EXPECT_NE(error.find("no system 'no-such-system'"), std::string::npos) << error;
}

// The command line says what it is and what it does not know.
TEST(Command, VersionUnknownCommandsAndNoCommandAreClear) {
    RunResult version = e2e::Run({ReservoBinary(), "--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_TRUE(version.output.starts_with("reservo 0.")) << version.output;

    RunResult unknown = e2e::Run({ReservoBinary(), "logz"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.output.find("unknown command 'logz'"), std::string::npos) << unknown.output;
    EXPECT_NE(unknown.output.find("serve, up, status"), std::string::npos) << unknown.output;

    RunResult none = e2e::Run({ReservoBinary()});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.output.find("Usage: reservo"), std::string::npos) << none.output;
}

TEST(FixtureStart, PortsOfOneBinaryAreNotHandedOutTwice) {
    std::set<int> bases;
    for (int i = 0; i < 5; ++i) bases.insert(ReservePorts(10));
    EXPECT_EQ(bases.size(), 5u);
    EXPECT_FALSE(bases.contains(0));
}

}  // namespace
}  // namespace reservo::e2e
