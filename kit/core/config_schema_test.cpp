#include "kit/core/config_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace reservo {
namespace {

using Env = std::map<std::string, std::string>;

std::string ReadSource(const std::string& relative) {
    std::ifstream in(std::filesystem::path(RESERVO_SOURCE_DIR) / relative);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string& VaccineYaml() {
    static const std::string kYaml = ReadSource("systems/vaccine/system.yaml");
    return kYaml;
}

// The vaccine YAML with `from` replaced by `to` (which must occur).
std::string Edited(const std::string& from, const std::string& to) {
    std::string yaml = VaccineYaml();
    size_t at = yaml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) yaml.replace(at, from.size(), to);
    return yaml;
}

// The kit's keys and the one key of its own the vaccine YAML gives (cli/catalog.cpp SystemSchema
// adds what each module declares).
Schema VaccineSchema() {
    Schema schema = KitSchema();
    EXPECT_TRUE(schema.AddServiceSettings("reservation", {{"abandon-after-ms", Schema::Millis(1000).Required()}}));
    return schema;
}

// Validates `yaml` against `schema` with exactly the variables `env` set; returns the problem lines.
std::vector<std::string> Problems(const std::string& yaml, const Env& env = {},
                                  const Schema& schema = VaccineSchema()) {
    auto config = Config::FromYaml(yaml, [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
    EXPECT_TRUE(config.has_value());
    if (!config) return {"(unparsable)"};
    std::vector<std::string> names;
    for (const auto& [name, _] : env) names.push_back(name);
    auto status = Validate(*config, schema, names);
    if (status) return {};
    EXPECT_EQ(status.error().code, Code::kInvalidArgument);
    std::vector<std::string> lines;
    std::stringstream in(status.error().message);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

using Lines = std::vector<std::string>;

TEST(ConfigSchemaTest, TheVaccineSystemValidates) {
    ASSERT_FALSE(VaccineYaml().empty());
    EXPECT_EQ(Problems(VaccineYaml()), Lines{});
}

TEST(ConfigSchemaTest, UnknownKeyIsNamedWithTheClosestKnownOne) {
    EXPECT_EQ(Problems(Edited("timeout-ms: 600", "timout-ms: 600")),
              (Lines{"services.reservation.dependencies.vaccine-mgmt.timout-ms: unknown key (did you mean timeout-ms?)",
                     "services.reservation.dependencies.vaccine-mgmt.timeout-ms: required key missing"}));
    // Far from every known key: the known ones are listed instead.
    EXPECT_EQ(Problems(Edited("store:\n", "store:\n  zzz: 1\n")),
              Lines{"store.zzz: unknown key (known here: engine, synchronous, accept-new, postgres)"});
    EXPECT_EQ(Problems(VaccineYaml() + "colour: blue\n"),
              Lines{"colour: unknown key (known here: system, gateway, runtime, store, idempotency, events, http, "
                    "logging, management, services)"});
}

TEST(ConfigSchemaTest, BadValuesSayWhatIsExpected) {
    EXPECT_EQ(Problems(Edited("timeout-ms: 600", "timeout-ms: abc")),
              Lines{"services.reservation.dependencies.vaccine-mgmt.timeout-ms: expected a whole number of "
                    "milliseconds >= 1, got 'abc'"});
    EXPECT_EQ(Problems(Edited("port: 8080", "port: 70000")),
              Lines{"gateway.port: expected a whole number from 1 to 65535, got '70000'"});
    EXPECT_EQ(Problems(Edited("synchronous: normal", "synchronous: ful")),
              Lines{"store.synchronous: expected one of normal, full, got 'ful' (did you mean full?)"});
    EXPECT_EQ(Problems(Edited("accept-new: false", "accept-new: maybe")),
              Lines{"store.accept-new: expected true or false, got 'maybe'"});
    EXPECT_EQ(
        Problems(Edited("failure-rate-threshold: 50\n          slow", "failure-rate-threshold: 0\n          slow")),
        Lines{"services.reservation.dependencies.vaccine-mgmt.circuit-breaker.failure-rate-threshold: expected "
              "a number > 0 and <= 100, got '0'"});
    EXPECT_EQ(Problems(Edited("trusted-proxies: []", "trusted-proxies: [10.0.0.0/8, 10.0.0.300, 'fd00::/129']")),
              (Lines{"gateway.trusted-proxies: expected a list of IP addresses or CIDR ranges, got '10.0.0.300'",
                     "gateway.trusted-proxies: expected a list of IP addresses or CIDR ranges, got 'fd00::/129'"}));
    EXPECT_EQ(Problems(Edited("bind-address: 127.0.0.1", "bind-address: localhost")),
              Lines{"runtime.bind-address: expected an IPv4 address, got 'localhost'"});
    EXPECT_EQ(Problems(Edited("routes: [/reservations/**]", "routes: [reservations]")),
              Lines{"services.reservation.routes: expected a list of paths starting with '/', got 'reservations'"});
    EXPECT_EQ(Problems(Edited("partitions: 4", "partitions: 0")),
              Lines{"events.partitions: expected a whole number from 1 to 256, got '0'"});
    EXPECT_EQ(Problems(Edited("partitions: 4", "partitions:")),
              Lines{"events.partitions: expected a whole number from 1 to 256, got nothing"});
    EXPECT_EQ(Problems(Edited("timeout-ms: 5000", "timeout-ms: {seconds: 5}")),
              Lines{"gateway.timeout-ms: expected a whole number of milliseconds >= 1, got a map"});
    EXPECT_EQ(Problems(Edited("route-timeout-ms: 2000", "route-timeout-ms: 2000\n    url: ftp://mypage")),
              Lines{"services.mypage.url: expected an http:// URL (http://host:port), got 'ftp://mypage'"});
    const Lines lines = Problems(Edited("store:\n", "store: fast\nstore-old:\n"));
    EXPECT_NE(std::find(lines.begin(), lines.end(), "store: expected a map of keys, got 'fast'"), lines.end());
}

TEST(ConfigSchemaTest, ADependencyMustBeAServiceOfTheSystem) {
    EXPECT_EQ(Problems(Edited("      vaccine-mgmt:\n", "      payment:\n")),
              Lines{"services.reservation.dependencies.payment: dependency 'payment' is not a service of system "
                    "'vaccine'"});
    EXPECT_EQ(Problems(Edited("      vaccine-mgmt:\n", "      vacine-mgmt:\n")),
              Lines{"services.reservation.dependencies.vacine-mgmt: dependency 'vacine-mgmt' is not a service of "
                    "system 'vaccine' (did you mean vaccine-mgmt?)"});
}

TEST(ConfigSchemaTest, RequiredKeysMustBeGiven) {
    EXPECT_EQ(Problems(Edited("  port: 8080", "")), Lines{"gateway.port: required key missing"});
    // The environment may give it instead.
    EXPECT_EQ(Problems(Edited("  port: 8080", ""), {{"RESERVO_GATEWAY_PORT", "9000"}}), Lines{});
    // A missing required map is one problem, not one per key inside it.
    EXPECT_EQ(Problems(Edited("idempotency:\n  retention-ms: 86400000", "")),
              Lines{"idempotency: required key missing"});
    // An optional map that is absent asks for nothing; present, it must be whole.
    EXPECT_EQ(
        Problems(Edited("window-size: 40           # count-based", "# count-based")),
        Lines{"services.reservation.dependencies.vaccine-mgmt.circuit-breaker.window-size: required key missing"});
    EXPECT_EQ(Problems("system: vaccine\n").size(), 9u);  // gateway, runtime, ..., logging, management, services
    // The access log: on or off, from the YAML or its variable.
    EXPECT_EQ(Problems(Edited("  access: true", "")), Lines{"logging.access: required key missing"});
    EXPECT_EQ(Problems(Edited("  access: true", ""), {{"RESERVO_LOGGING_ACCESS", "false"}}), Lines{});
    // Spring Boot's health setting: always or never, from the YAML or its variable.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS", "never"}}), Lines{});
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS", "sometimes"}}),
              Lines{"management.endpoint.health.show-details: expected one of always, never, got 'sometimes' "
                    "(from RESERVO_MANAGEMENT_ENDPOINT_HEALTH_SHOW_DETAILS)"});
}

TEST(ConfigSchemaTest, EveryProblemIsReportedAtOnce) {
    std::string yaml = Edited("timeout-ms: 600", "timout-ms: 600");
    yaml.replace(yaml.find("partitions: 4"), 13, "partitions: many");
    EXPECT_EQ(Problems(yaml, {{"RESERVO_GATEWAY_TIMOUT_MS", "1"}}),
              (Lines{"events.partitions: expected a whole number from 1 to 256, got 'many'",
                     "services.reservation.dependencies.vaccine-mgmt.timout-ms: unknown key (did you mean timeout-ms?)",
                     "services.reservation.dependencies.vaccine-mgmt.timeout-ms: required key missing",
                     "RESERVO_GATEWAY_TIMOUT_MS: environment variable overrides no configuration key (did you mean "
                     "RESERVO_GATEWAY_TIMEOUT_MS?)"}));
}

TEST(ConfigSchemaTest, BadValueFromTheEnvironmentNamesTheVariable) {
    EXPECT_EQ(
        Problems(VaccineYaml(), {{"RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMEOUT_MS", "abc"}}),
        Lines{"services.reservation.dependencies.vaccine-mgmt.timeout-ms: expected a whole number of "
              "milliseconds >= 1, got 'abc' (from RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMEOUT_MS)"});
    // Also for a key the YAML does not hold, and for each element of a list.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_LOGGING_ACCESS", "sometimes"}}),
              Lines{"logging.access: expected true or false, got 'sometimes' (from RESERVO_LOGGING_ACCESS)"});
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_GATEWAY_TRUSTED_PROXIES", "10.0.0.1, nowhere"}}),
              Lines{"gateway.trusted-proxies: expected a list of IP addresses or CIDR ranges, got 'nowhere' (from "
                    "RESERVO_GATEWAY_TRUSTED_PROXIES)"});
}

TEST(ConfigSchemaTest, EnvironmentVariablesMustOverrideAKey) {
    // What the end-to-end tests and a ConfigMap set, and the runtime's own variables.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_GATEWAY_TIMEOUT_MS", "1500"},
                                       {"RESERVO_HTTP_MAX_CONNECTIONS", "300"},
                                       {"RESERVO_GATEWAY_RATE_LIMIT_REQUESTS_PER_SECOND", "20"},
                                       {"RESERVO_LOGGING_ACCESS", "false"},
                                       {"RESERVO_SERVICES_MYPAGE_URL", "http://10.0.0.7:8084"},
                                       {"RESERVO_STORE_ACCEPT_NEW", "true"},
                                       {"RESERVO_EVENTS_RETENTION_MS", "604800000"},
                                       {"RESERVO_FAULTS", "1"},
                                       {"RESERVO_LISTEN_FD", "3"},
                                       {"RESERVO_READY_FD", "4"},
                                       {"RESERVO_LOG_LEVEL", "debug"},
                                       {"PATH", "/usr/bin"}}),
              Lines{});
    // A dependency only the environment configures is still a dependency on a service.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_SERVICES_MYPAGE_DEPENDENCIES_RESERVATION_TIMEOUT_MS", "100"}}),
              Lines{});
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_SERVICES_MYPAGE_DEPENDENCIES_PAYMENT_TIMEOUT_MS", "100"}}).size(), 1u);
    // Elements are addressed by name: an index would override nothing that is read.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_SERVICES_4_URL", "http://x:1"}}),
              Lines{"RESERVO_SERVICES_4_URL: environment variable overrides no configuration key (did you mean "
                    "RESERVO_SERVICES_MYPAGE_URL?)"});
    // A map is not a value.
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_GATEWAY_CORS", "*"}}).front().substr(0, 22), "RESERVO_GATEWAY_CORS: ");
}

TEST(ConfigSchemaTest, ServiceModulesAddTheirOwnKeys) {
    // The kit alone does not know reservation's own key.
    EXPECT_EQ(
        Problems(VaccineYaml(), {}, KitSchema()),
        Lines{
            "services.reservation.abandon-after-ms: unknown key"
            " (known here: name, routes, internal, route-timeout-ms, url, publishes, consumes, store, dependencies)"});

    Schema schema = KitSchema();
    ASSERT_TRUE(schema.AddServiceSettings("reservation", {{"abandon-after-ms", Schema::Millis(1).Required()}}));
    EXPECT_EQ(Problems(VaccineYaml(), {}, schema), Lines{});
    const std::string without = Edited("    abandon-after-ms: 30000", "   ");
    EXPECT_EQ(Problems(without, {}, schema), Lines{"services.reservation.abandon-after-ms: required key missing"});
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS", "0"}}, schema),
              Lines{"services.reservation.abandon-after-ms: expected a whole number of milliseconds >= 1, got '0' "
                    "(from RESERVO_SERVICES_RESERVATION_ABANDON_AFTER_MS)"});
    // Only that service has it.
    EXPECT_EQ(Problems(Edited("    routes: [/myPages/**]\n", "    routes: [/myPages/**]\n    abandon-after-ms: 1\n"),
                       {}, schema)
                  .size(),
              1u);  // unknown under mypage

    // A module may require the dependencies it calls.
    ASSERT_TRUE(schema.AddServiceSettings("reservation", {{"dependencies.vaccine-mgmt", Schema::Map({}).Required()}}));
    EXPECT_EQ(Problems(VaccineYaml(), {}, schema), Lines{});
    const std::string yaml = VaccineYaml();
    const std::string no_dependency =
        yaml.substr(0, yaml.find("    dependencies:")) + yaml.substr(yaml.find("  - name: notification"));
    EXPECT_EQ(Problems(no_dependency, {}, schema),
              Lines{"services.reservation.dependencies.vaccine-mgmt: required key missing"});

    // A key is declared once.
    auto again = schema.AddServiceSettings("reservation", {{"routes", Schema::PathList()}});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, "services.reservation.routes: already declared");
    EXPECT_FALSE(schema.Add("gateway.port.x", Schema::Int()));
}

TEST(ConfigSchemaTest, ServicesAreNamedOnceAndNotGateway) {
    EXPECT_EQ(Problems(Edited("  - name: notification\n", "  - name: vaccine-mgmt\n")),
              Lines{"services.vaccine-mgmt: declared twice"});
    EXPECT_EQ(Problems(Edited("  - name: notification\n", "  - name: gateway\n")),
              Lines{"services.gateway: 'gateway' is a reserved name"});
    EXPECT_EQ(Problems(Edited("  - name: notification\n", "  - name: Notification\n")),
              Lines{"services.2.name: expected a name of lower-case letters, digits and '-', starting with a letter, "
                    "got 'Notification'"});
    EXPECT_EQ(Problems(Edited("  - name: notification\n", "  - nom: notification\n")),
              Lines{"services.2: expected a map with a name, got a map"});
}

TEST(ConfigSchemaTest, ValuesSetAtStartUpAreChecked) {
    auto config = Config::FromYaml(VaccineYaml(), [](const std::string&) { return std::nullopt; }).value();
    config.Set("runtime.port-base", "-5");
    auto status = Validate(config, VaccineSchema(), std::vector<std::string>{});
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message,
              "runtime.port-base: expected a whole number from -1 to 65535, got '-5' (set at start-up)");
}

TEST(ConfigSchemaTest, AVariableOverridingTwoKeysIsAmbiguous) {
    Schema schema =
        Schema::Map({{"a-b", Schema::Map({{"c", Schema::Int()}})}, {"a", Schema::Map({{"b-c", Schema::Int()}})}});
    EXPECT_EQ(Problems("{}", {{"RESERVO_A_B_C", "1"}}, schema),
              Lines{"RESERVO_A_B_C: environment variable overrides more than one key: a-b.c, a.b-c"});
}

TEST(ConfigSchemaTest, DidYouMeanOnlySuggestsCloseWords) {
    EXPECT_EQ(DidYouMean("timout-ms", {"bulkhead", "timeout-ms", "url"}), "timeout-ms");
    EXPECT_EQ(DidYouMean("tiemout-ms", {"timeout-ms"}), "timeout-ms");  // a swap is one edit
    EXPECT_EQ(DidYouMean("colour", {"system", "gateway"}), std::nullopt);
    EXPECT_EQ(DidYouMean("ur", {"url"}), "url");
}

TEST(ConfigSchemaTest, ProcessVariablesAreListedOnce) {
    const auto& vars = ProcessVariables();
    for (const char* name : {"RESERVO_FAULTS", "RESERVO_LISTEN_FD", "RESERVO_READY_FD", "RESERVO_LOG_LEVEL"}) {
        EXPECT_NE(std::find(vars.begin(), vars.end(), name), vars.end()) << name;
    }
    ::setenv("RESERVO_CONFIG_SCHEMA_TEST", "1", 1);
    auto names = ProcessEnvNames();
    ::unsetenv("RESERVO_CONFIG_SCHEMA_TEST");
    EXPECT_NE(std::find(names.begin(), names.end(), "RESERVO_CONFIG_SCHEMA_TEST"), names.end());
    for (const auto& name : names) EXPECT_TRUE(name.starts_with("RESERVO_")) << name;
}

}  // namespace
}  // namespace reservo

namespace reservo {
namespace {

TEST(ConfigSchemaTest, EnginesAreChosenByConfigurationAndPerService) {
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_EVENTS_ENGINE", "kafka"},
                                       {"RESERVO_EVENTS_KAFKA_BROKERS", "127.0.0.1:9092,127.0.0.1:9093"},
                                       {"RESERVO_EVENTS_KAFKA_SECURITY_PROTOCOL", "sasl_ssl"},
                                       {"RESERVO_STORE_ENGINE", "postgres"},
                                       {"RESERVO_STORE_POSTGRES_URL", "postgresql://app:secret@db/reservo"},
                                       {"RESERVO_SERVICES_MYPAGE_STORE_ENGINE", "sqlite"},
                                       {"RESERVO_SERVICES_RESERVATION_STORE_POSTGRES_URL", "postgresql://db2/r"}}),
              Lines{});
    EXPECT_EQ(Problems(VaccineYaml(), {{"RESERVO_STORE_ENGINE", "mysql"}, {"RESERVO_EVENTS_ENGINE", "rabbit"}}),
              (Lines{"store.engine: expected one of sqlite, postgres, got 'mysql' (from RESERVO_STORE_ENGINE)",
                     "events.engine: expected one of embedded, kafka, got 'rabbit' (from RESERVO_EVENTS_ENGINE)"}));
    EXPECT_EQ(Problems(Edited("  - name: mypage\n", "  - name: mypage\n    store: {engine: oracle}\n")),
              Lines{"services.mypage.store.engine: expected one of sqlite, postgres, got 'oracle'"});
}

}  // namespace
}  // namespace reservo
