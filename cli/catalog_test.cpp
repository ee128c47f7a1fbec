#include "cli/catalog.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kit/service/topology.hpp"

extern char** environ;

namespace reservo::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Validates `system`'s embedded configuration as `serve` does, with `env` set in this process's
// environment meanwhile (and no other RESERVO_* variable counted); the problem lines.
std::vector<std::string> Problems(const std::string& system, const Env& env = {}) {
    std::vector<std::string> names;
    for (const auto& [name, value] : env) {
        ::setenv(name.c_str(), value.c_str(), 1);
        names.push_back(name);
    }
    auto config = LoadSystemConfig(system);
    Status valid = config ? ValidateSystemConfig(system, *config, names) : Status(Fail(config.error()));
    for (const auto& [name, _] : env) ::unsetenv(name.c_str());
    return valid ? std::vector<std::string>{} : Lines(valid.error().message);
}

// The vaccine YAML with `from` replaced by `to` (which must occur).
std::string EditedVaccineYaml(const std::string& from, const std::string& to) {
    std::string yaml = SystemYaml("vaccine").value();
    size_t at = yaml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) yaml.replace(at, from.size(), to);
    return yaml;
}

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

namespace reservo::cli {
namespace {

TEST(Catalog, EveryEmbeddedSystemValidatesAgainstItsSchema) {
    for (const std::string& system : SystemNames()) {
        SCOPED_TRACE(system);
        EXPECT_EQ(Problems(system), std::vector<std::string>{});
    }
}

TEST(Catalog, TheSchemaHasTheSettingsOfEachModule) {
    auto config = LoadSystemConfig("vaccine");
    ASSERT_TRUE(config) << config.error().message;
    // Without reservation's own settings its abandon-after-ms is an unknown key.
    auto kit_only = Validate(*config, KitSchema(), std::vector<std::string>{});
    ASSERT_FALSE(kit_only);
    EXPECT_NE(kit_only.error().message.find("services.reservation.abandon-after-ms: unknown key"), std::string::npos)
        << kit_only.error().message;
    EXPECT_EQ(Problems("vaccine", {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "500"}}),
              std::vector<std::string>{"services.reservation.abandon-after-ms: expected a whole number of milliseconds "
                                       ">= 1000, got '500' (from RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS)"});
    EXPECT_EQ(SystemSchema("no-such-system").error().code, Code::kNotFound);
}

TEST(Catalog, CallPoliciesMustHoldTogether) {
    // Each value is fine alone; together the breaker could never open.
    const Env apart = {{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_MINIMUM_CALLS", "50"},
                       {"RESERVO_GATEWAY_UPSTREAM_CIRCUIT_BREAKER_WINDOW_SIZE", "5"}};
    const std::vector<std::string> lines = {
        "gateway.upstream.circuit-breaker.minimum-calls: must be between 1 and window-size",
        "services.reservation.dependencies.vaccine-mgmt.circuit-breaker.minimum-calls: must be between 1 and "
        "window-size"};
    EXPECT_EQ(Problems("vaccine", apart), lines);

    // Reported with the schema's problems, all at once; a key the schema named is named once.
    Env more = apart;
    more["RESERVO_GATEWAY_TIMEOUT_MS"] = "soon";
    more["RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_BULKHEAD"] = "many";
    EXPECT_EQ(Problems("vaccine", more),
              (std::vector<std::string>{
                  "gateway.timeout-ms: expected a whole number of milliseconds >= 1, got 'soon' (from "
                  "RESERVO_GATEWAY_TIMEOUT_MS)",
                  "services.reservation.dependencies.vaccine-mgmt.bulkhead: expected a whole number from 1 to "
                  "2147483647, got 'many' (from RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_BULKHEAD)",
                  lines[0]}));
}

TEST(Catalog, ConsumedEventsArePublishedBySomeServiceAndOperatorsAreAddresses) {
    EXPECT_EQ(Problems("vaccine", {{"RESERVO_SERVICES_MYPAGE_CONSUMES", "VaccineReserved, Paid"}}),
              (std::vector<std::string>{"services.mypage.consumes: no service of system 'vaccine' publishes Paid"}));
    EXPECT_EQ(Problems("vaccine", {{"RESERVO_GATEWAY_CONSOLE_OPERATORS", "127.0.0.1, nowhere"}}),
              (std::vector<std::string>{"gateway.console.operators: expected a list of IP addresses or CIDR ranges, "
                                        "got 'nowhere' (from RESERVO_GATEWAY_CONSOLE_OPERATORS)"}));
}

// ---- The `reservo` binary -----------------------------------------------------------------

// The `reservo` of this build: BUILD/reservo, this test being BUILD/cli/reservo_catalog_test.
std::string ReservoBinary() {
    return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "reservo").string();
}

struct Ran {
    int exit_code = -1;  // -1: killed at the time limit
    std::string output;  // stdout and stderr
    std::chrono::steady_clock::duration took{};
};

// Runs `reservo args...` with this environment less its RESERVO_* variables, plus `env`; kills its
// process group after `limit`.
Ran RunReservo(const std::vector<std::string>& args, const Env& env, std::chrono::seconds limit = 20s) {
    std::vector<std::string> entries;
    for (char** e = environ; *e; ++e) {
        if (!std::string_view(*e).starts_with("RESERVO_")) entries.emplace_back(*e);
    }
    for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = {ReservoBinary()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);

    Ran ran;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return ran;
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(out[1], STDERR_FILENO);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out[1]);
    const auto deadline = start + limit;
    bool killed = false;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            if (killed) break;  // something still holds the pipe open
            ::kill(-pid, SIGKILL);
            killed = true;
            continue;
        }
        pollfd p{.fd = out[0], .events = POLLIN, .revents = 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        ssize_t n = ::read(out[0], buffer, sizeof buffer);
        if (n <= 0) break;
        ran.output.append(buffer, static_cast<size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ran.took = std::chrono::steady_clock::now() - start;
    ran.exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return ran;
}

// A directory of its own, removed at the end.
struct TempDir {
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "reservo-catalog-test-XXXXXX").string();
        path = ::mkdtemp(pattern.data()) ? pattern : "";
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
    bool Empty() const { return fs::is_empty(path); }
    std::string path;
};

// A port nothing of this test binds unless a refusal did not happen.
std::string SparePort() { return std::to_string(30000 + ::getpid() % 5000); }

TEST(ReservoServe, RefusesAVariableWithATypoNamingItBeforeOpeningAnything) {
    ASSERT_TRUE(fs::exists(ReservoBinary())) << ReservoBinary() << ": build the reservo target";
    TempDir data;
    Ran ran = RunReservo({"serve", "vaccine/reservation", "--port", SparePort(), "--data", data.path},
                         {{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMOUT_MS", "5"}});
    EXPECT_EQ(ran.exit_code, 2) << ran.output;
    EXPECT_NE(
        ran.output.find("reservo serve vaccine/reservation: invalid configuration (the embedded vaccine YAML), "
                        "not starting:\n"
                        "  RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMOUT_MS: environment variable "
                        "overrides no configuration key (did you mean "
                        "RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMEOUT_MS?)\n"),
        std::string::npos)
        << ran.output;
    // Also a log record per problem, for whoever reads the logs.
    EXPECT_NE(ran.output.find("\"problem\":\"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMOUT_MS: "),
              std::string::npos)
        << ran.output;
    EXPECT_LT(ran.took, 5s);
    EXPECT_TRUE(data.Empty()) << "a store was opened";
}

TEST(ReservoServe, RefusesATypoInAConfigFileWithEveryProblem) {
    ASSERT_TRUE(fs::exists(ReservoBinary())) << ReservoBinary() << ": build the reservo target";
    TempDir data;
    const std::string file = data.path + "/vaccine.yaml";
    std::ofstream(file) << EditedVaccineYaml("        timeout-ms: 600", "        timout-ms: 600");
    const std::string store = data.path + "/store";
    Ran ran =
        RunReservo({"serve", "vaccine/reservation", "--config", file, "--port", SparePort(), "--data", store}, {});
    EXPECT_EQ(ran.exit_code, 2) << ran.output;
    EXPECT_NE(ran.output.find("invalid configuration (" + file +
                              "), not starting:\n"
                              "  services.reservation.dependencies.vaccine-mgmt.timout-ms: unknown key (did you mean "
                              "timeout-ms?)\n"
                              "  services.reservation.dependencies.vaccine-mgmt.timeout-ms: required key missing\n"),
              std::string::npos)
        << ran.output;
    EXPECT_LT(ran.took, 5s);
    EXPECT_FALSE(fs::exists(store)) << "a store was opened";

    // The same file without the typo is accepted.
    std::ofstream(file) << SystemYaml("vaccine").value();
    auto fine = LoadSystemConfig("vaccine", file);
    ASSERT_TRUE(fine) << fine.error().message;
    EXPECT_TRUE(ValidateSystemConfig("vaccine", *fine, std::vector<std::string>{}));
}

TEST(ReservoUp, RefusesABadValueBeforeStartingAnything) {
    ASSERT_TRUE(fs::exists(ReservoBinary())) << ReservoBinary() << ": build the reservo target";
    TempDir data;
    Ran ran = RunReservo({"up", "vaccine", "--data", data.path, "--port-base", SparePort()},
                         {{"RESERVO_GATEWAY_TIMEOUT_MS", "soon"}});
    EXPECT_EQ(ran.exit_code, 2) << ran.output;
    EXPECT_EQ(ran.output,
              "reservo up: invalid configuration, nothing was started:\n"
              "  vaccine: gateway.timeout-ms: expected a whole number of milliseconds >= 1, got 'soon' (from "
              "RESERVO_GATEWAY_TIMEOUT_MS)\n");
    EXPECT_LT(ran.took, 5s);
    EXPECT_TRUE(data.Empty()) << "something was started";
}

TEST(ReservoUp, RefusesAPortBaseOutOfRange) {
    ASSERT_TRUE(fs::exists(ReservoBinary())) << ReservoBinary() << ": build the reservo target";
    TempDir data;
    Ran ran = RunReservo({"up", "vaccine", "--data", data.path, "--port-base", "70000"}, {});
    EXPECT_EQ(ran.exit_code, 2) << ran.output;
    EXPECT_NE(
        ran.output.find("  vaccine: runtime.port-base: expected a whole number from -1 to 65535, got '70000' (set "
                        "at start-up)\n"),
        std::string::npos)
        << ran.output;
    EXPECT_TRUE(data.Empty()) << "something was started";
}

}  // namespace
}  // namespace reservo::cli
