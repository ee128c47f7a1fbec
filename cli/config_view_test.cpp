#include "cli/config_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace reservo::cli {
namespace {

Config::EnvLookup Env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

const Setting* Find(const SettingsView& view, const std::string& key) {
    auto it = std::find_if(view.settings.begin(), view.settings.end(), [&](const Setting& s) { return s.key == key; });
    return it == view.settings.end() ? nullptr : &*it;
}

TEST(ConfigView, ShowsEachValueWithItsSource) {
    const std::string var = "RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_TIMEOUT_MS";
    auto view = ResolveSettings("vaccine", std::nullopt, Env({{var, "900"}}), {var});
    ASSERT_TRUE(view) << view.error().message;
    const Setting* overridden = Find(*view, "services.reservation.dependencies.vaccine-mgmt.timeout-ms");
    ASSERT_NE(overridden, nullptr);
    EXPECT_EQ(overridden->value, "900");
    EXPECT_EQ(overridden->source, "environment " + var);
    const Setting* from_yaml = Find(*view, "gateway.port");
    ASSERT_NE(from_yaml, nullptr);
    EXPECT_EQ(from_yaml->value, "8080");
    EXPECT_EQ(from_yaml->source, "default (embedded vaccine YAML)");
    EXPECT_EQ(from_yaml->variable, "RESERVO_GATEWAY_PORT");
    const Setting* list = Find(*view, "services.vaccine-mgmt.routes");
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->value, "[/vaccineMgmts/**]");
    EXPECT_EQ(view->problems, "");
}

TEST(ConfigView, MasksSecrets) {
    EXPECT_TRUE(IsSecretKey("services.oauth.users.owner.password"));
    EXPECT_TRUE(IsSecretKey("services.oauth.clients.reservo-web.secret"));
    EXPECT_TRUE(IsSecretKey("auth.private-key"));
    EXPECT_TRUE(IsSecretKey("x.api-token"));
    EXPECT_FALSE(IsSecretKey("auth.token-service"));
    EXPECT_FALSE(IsSecretKey("services.oauth.token-ttl-ms"));
    EXPECT_EQ(MaskedValue("store.postgres.url", "postgresql://app:hunter2@db:5432/reservo"),
              "postgresql://app:***@db:5432/reservo");
    EXPECT_EQ(MaskedValue("services.oauth.users.owner.password", "owner-pass"), "***");

    auto view = ResolveSettings("animal-hospital", std::nullopt, Env({}), {});
    ASSERT_TRUE(view) << view.error().message;
    std::string table = FormatSettingsTable(*view);
    EXPECT_EQ(table.find("owner-pass"), std::string::npos) << table;
    EXPECT_EQ(table.find("reservo-web-secret"), std::string::npos);
    EXPECT_NE(table.find("***"), std::string::npos);
}

TEST(ConfigView, VariablesForKeysTheYamlLacksAndBadValuesAreShown) {
    auto view = ResolveSettings(
        "vaccine", std::nullopt,
        Env({{"RESERVO_STORE_POSTGRES_URL", "postgresql://u:pw@h/db"}, {"RESERVO_GATEWAY_TIMEOUT_MS", "soon"}}),
        {"RESERVO_STORE_POSTGRES_URL", "RESERVO_GATEWAY_TIMEOUT_MS"});
    ASSERT_TRUE(view) << view.error().message;
    const Setting* url = Find(*view, "store.postgres.url");
    ASSERT_NE(url, nullptr);
    EXPECT_EQ(url->value, "postgresql://u:***@h/db");
    EXPECT_EQ(url->source, "environment RESERVO_STORE_POSTGRES_URL");
    EXPECT_NE(view->problems.find("gateway.timeout-ms"), std::string::npos) << view->problems;
    EXPECT_NE(FormatSettingsJson(*view).find("\"problems\":[\"gateway.timeout-ms"), std::string::npos);
}

TEST(ConfigView, UnknownSystemOrFileIsAnError) {
    EXPECT_EQ(ResolveSettings("no-such", std::nullopt, Env({}), {}).error().code, Code::kNotFound);
    EXPECT_EQ(ResolveSettings("vaccine", std::string("/no/such/file.yaml"), Env({}), {}).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace reservo::cli
