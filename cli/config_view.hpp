// `reservo config SYSTEM`: the settings a system's processes run with, after environment
// overrides — the resolution `reservo serve` does (LoadSystemConfig: the embedded YAML or
// `--config FILE`, then a RESERVO_* variable per key) — and where each value came from. Secrets
// (keys such as `password`, `secret`, `token`, `private-key`; passwords inside URLs) are masked.
//
//   auto view = ResolveSettings("vaccine", std::nullopt, Config::ProcessEnv(), ProcessEnvNames());
//   std::cout << FormatSettingsTable(*view);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/config.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

struct Setting {
    std::string key;       // "services.reservation.dependencies.vaccine-mgmt.timeout-ms"
    std::string value;     // effective, secrets masked; a list as "[a, b]"
    std::string source;    // "default (embedded vaccine YAML)", "file PATH", "environment RESERVO_..."
    std::string variable;  // the variable that overrides the key
};

struct SettingsView {
    std::string system;
    std::vector<Setting> settings;  // in the YAML's order, then variables that set keys the YAML lacks
    std::string problems;           // what `reservo serve` would refuse, one per line (empty: none)
};

// kNotFound for an unknown system or unreadable file, kInvalidArgument for invalid YAML.
Result<SettingsView> ResolveSettings(const std::string& system, const std::optional<std::string>& file,
                                     const Config::EnvLookup& env, const std::vector<std::string>& env_names);

// Whether a key holds a secret: its last segment names a password, secret, token or private key.
bool IsSecretKey(std::string_view key);
// The value as shown: "***" for a secret key, a URL's password replaced by ***.
std::string MaskedValue(std::string_view key, std::string_view value);

std::string FormatSettingsTable(const SettingsView& view);
std::string FormatSettingsJson(const SettingsView& view);

}  // namespace reservo::cli
