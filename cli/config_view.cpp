#include "cli/config_view.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "cli/catalog.hpp"
#include "kit/core/config_schema.hpp"
#include "kit/store/postgres.hpp"

namespace reservo::cli {

namespace {

std::string Join(const std::string& prefix, const std::string& part) {
    return prefix.empty() ? part : prefix + "." + part;
}

// Every scalar and list of scalars in the document, with its dotted key (list elements by their
// `name`, as Config addresses them, else by index).
void Flatten(const YAML::Node& node, const std::string& key, std::vector<std::pair<std::string, std::string>>& out) {
    if (node.IsScalar()) {
        out.emplace_back(key, node.as<std::string>());
    } else if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it)
            Flatten(it->second, Join(key, it->first.as<std::string>()), out);
    } else if (node.IsSequence()) {
        bool scalars = std::all_of(node.begin(), node.end(), [](const YAML::Node& n) { return n.IsScalar(); });
        if (scalars) {
            std::string list = "[";
            for (const auto& element : node) list.append(list.size() > 1 ? ", " : "").append(element.as<std::string>());
            out.emplace_back(key, list + "]");
            return;
        }
        size_t index = 0;
        for (const auto& element : node) {
            const bool named = element.IsMap() && element["name"] && element["name"].IsScalar();
            const std::string element_key =
                Join(key, named ? element["name"].as<std::string>() : std::to_string(index));
            ++index;
            if (!element.IsMap()) {
                Flatten(element, element_key, out);
                continue;
            }
            for (auto it = element.begin(); it != element.end(); ++it) {
                std::string field = it->first.as<std::string>();
                if (named && field == "name") continue;  // the element's address, not a setting
                Flatten(it->second, Join(element_key, field), out);
            }
        }
    }
}

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

bool IsSecretKey(std::string_view key) {
    size_t dot = key.rfind('.');
    std::string last = Lower(dot == std::string_view::npos ? key : key.substr(dot + 1));
    for (std::string_view word : {"password", "passwd", "secret", "private-key", "private_key", "privatekey",
                                  "credential", "api-key", "apikey"}) {
        if (last.find(word) != std::string::npos) return true;
    }
    return last == "token" || last.ends_with("-token") || last.ends_with("_token");
}

std::string MaskedValue(std::string_view key, std::string_view value) {
    if (IsSecretKey(key)) return value.empty() ? std::string() : "***";
    return store::PostgresDatabase::Redacted(value);
}

Result<SettingsView> ResolveSettings(const std::string& system, const std::optional<std::string>& file,
                                     const Config::EnvLookup& env, const std::vector<std::string>& env_names) {
    auto embedded = SystemYaml(system);
    if (!embedded) return Fail(embedded.error());
    auto config = file ? Config::FromFile(*file, env) : Config::FromYaml(*embedded, env);
    if (!config) return Fail(config.error());
    SettingsView view;
    view.system = system;
    const std::string yaml_source = file ? "file " + *file : "default (embedded " + system + " YAML)";
    std::vector<std::pair<std::string, std::string>> leaves;
    Flatten(*config->Tree(), "", leaves);
    std::set<std::string> covered;
    for (auto& [key, yaml_value] : leaves) {
        Setting setting{.key = key, .variable = Config::EnvName(key)};
        covered.insert(setting.variable);
        if (auto value = config->EnvOverride(key)) {
            setting.value = MaskedValue(key, *value);
            setting.source = "environment " + setting.variable;
        } else {
            setting.value = MaskedValue(key, yaml_value);
            setting.source = yaml_source;
        }
        view.settings.push_back(std::move(setting));
    }
    // Variables for keys the YAML does not hold (store.postgres.url, ...): the key as the variable
    // spells it (a `-` in a key reads as `.` here).
    const auto& process = ProcessVariables();
    std::vector<std::string> names = env_names;
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        if (!name.starts_with("RESERVO_") || covered.contains(name)) continue;
        if (std::find(process.begin(), process.end(), name) != process.end()) continue;
        std::string key = Lower(std::string_view(name).substr(8));
        std::replace(key.begin(), key.end(), '_', '.');
        auto value = env ? env(name) : std::nullopt;
        view.settings.push_back({.key = key,
                                 .value = MaskedValue(key, value.value_or("")),
                                 .source = "environment " + name,
                                 .variable = name});
    }
    if (Status valid = ValidateSystemConfig(system, *config, env_names); !valid) view.problems = valid.error().message;
    return view;
}

std::string FormatSettingsTable(const SettingsView& view) {
    size_t key_width = 3, value_width = 5;
    for (const Setting& s : view.settings) {
        key_width = std::max(key_width, s.key.size());
        value_width = std::max(value_width, std::min<size_t>(s.value.size(), 60));
    }
    auto row = [&](const std::string& key, const std::string& value, const std::string& source) {
        std::string line = key;
        line.append(key_width - key.size() + 2, ' ').append(value);
        line.append(value.size() < value_width ? value_width - value.size() + 2 : 2, ' ').append(source).append("\n");
        return line;
    };
    std::string out = row("KEY", "VALUE", "SOURCE");
    for (const Setting& s : view.settings) out += row(s.key, s.value, s.source);
    if (!view.problems.empty()) {
        out.append("\nreservo serve would refuse this configuration:\n");
        size_t start = 0;
        while (start < view.problems.size()) {
            size_t eol = view.problems.find('\n', start);
            if (eol == std::string::npos) eol = view.problems.size();
            out.append("  ").append(view.problems, start, eol - start).append("\n");
            start = eol + 1;
        }
    }
    return out;
}

std::string FormatSettingsJson(const SettingsView& view) {
    namespace bj = boost::json;
    bj::object root;
    root["system"] = view.system;
    bj::array settings;
    for (const Setting& s : view.settings) {
        bj::object o;
        o["key"] = s.key;
        o["value"] = s.value;
        o["source"] = s.source;
        o["variable"] = s.variable;
        settings.push_back(std::move(o));
    }
    root["settings"] = std::move(settings);
    bj::array problems;
    size_t start = 0;
    while (start < view.problems.size()) {
        size_t eol = view.problems.find('\n', start);
        if (eol == std::string::npos) eol = view.problems.size();
        problems.push_back(bj::string(view.problems.substr(start, eol - start)));
        start = eol + 1;
    }
    root["problems"] = std::move(problems);
    return bj::serialize(root) + "\n";
}

}  // namespace reservo::cli
