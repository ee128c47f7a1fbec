#include "kit/core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace reservo {
namespace {

std::vector<std::string> SplitKey(const std::string& key) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : key) {
        if (c == '.') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

// Walks one step: map key, list element by `name`, or list index. Returns a null node if absent.
YAML::Node Step(const YAML::Node& node, const std::string& part) {
    if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it->first.as<std::string>() == part) return it->second;
        }
        return YAML::Node(YAML::NodeType::Undefined);
    }
    if (node.IsSequence()) {
        for (const auto& el : node) {
            if (el.IsMap() && el["name"] && el["name"].as<std::string>() == part) return el;
        }
        size_t index = 0;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
        if (ec == std::errc() && p == part.data() + part.size() && index < node.size()) return node[index];
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node Walk(const YAML::Node& root, const std::string& key) {
    if (key.empty()) return root;
    // yaml-cpp's Node::operator= writes through to the tree; reset() rebinds instead.
    YAML::Node node;
    node.reset(root);
    for (const auto& part : SplitKey(key)) {
        if (!node.IsDefined() || node.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
        node.reset(Step(node, part));
    }
    return node;
}

}  // namespace

Config::EnvLookup Config::ProcessEnv() {
    return [](const std::string& name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name.c_str())) return std::string(v);
        return std::nullopt;
    };
}

std::string Config::EnvName(const std::string& key) {
    std::string out = "RESERVO_";
    for (char c : key) {
        if (c == '.' || c == '-') {
            out += '_';
        } else {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

Result<Config> Config::FromYaml(const std::string& text, EnvLookup env) {
    Config cfg;
    try {
        cfg.root_ = std::make_shared<YAML::Node>(YAML::Load(text));
    } catch (const YAML::Exception& e) {
        return Fail(Code::kInvalidArgument, std::string("invalid YAML: ") + e.what());
    }
    cfg.env_ = std::move(env);
    return cfg;
}

Result<Config> Config::FromFile(const std::string& path, EnvLookup env) {
    std::ifstream in(path);
    if (!in) return Fail(Code::kNotFound, "cannot read config file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return FromYaml(ss.str(), std::move(env));
}

std::optional<std::string> Config::FindInYaml(const std::string& key) const {
    if (!root_) return std::nullopt;
    YAML::Node node = Walk(*root_, key);
    if (!node.IsDefined() || node.IsNull() || !node.IsScalar()) return std::nullopt;
    return node.as<std::string>();
}

std::optional<std::string> Config::Find(const std::string& key) const {
    if (env_) {
        if (auto v = env_(EnvName(key))) return v;
    }
    if (auto it = overrides_.find(key); it != overrides_.end()) return it->second;
    return FindInYaml(key);
}

std::optional<int64_t> Config::ParseInt(std::string_view text) {
    int64_t out = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
    return out;
}

std::optional<double> Config::ParseDouble(std::string_view text) {
    double out = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !std::isfinite(out)) {
        return std::nullopt;
    }
    return out;
}

std::optional<bool> Config::ParseBool(std::string_view text) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    return std::nullopt;
}

std::vector<std::string> Config::SplitList(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string Config::GetString(const std::string& key, const std::string& fallback) const {
    return Find(key).value_or(fallback);
}

int64_t Config::GetInt(const std::string& key, int64_t fallback) const {
    auto v = Find(key);
    return v ? ParseInt(*v).value_or(fallback) : fallback;
}

double Config::GetDouble(const std::string& key, double fallback) const {
    auto v = Find(key);
    return v ? ParseDouble(*v).value_or(fallback) : fallback;
}

bool Config::GetBool(const std::string& key, bool fallback) const {
    auto v = Find(key);
    return v ? ParseBool(*v).value_or(fallback) : fallback;
}

std::optional<std::string> Config::EnvOverride(const std::string& key) const {
    return env_ ? env_(EnvName(key)) : std::nullopt;
}

namespace {

// Reads `key` with `parse`; the error names the key, what was expected and where a bad value came from.
template <class T, class Parse>
Result<T> Require(const Config& cfg, const std::string& key, std::string_view expected, Parse parse) {
    auto text = cfg.Find(key);
    if (!text) return Fail(Code::kInvalidArgument, key + ": required key missing");
    if (auto value = parse(*text)) return T(*value);
    std::string from = cfg.EnvOverride(key) ? " (from " + Config::EnvName(key) + ")" : "";
    return Fail(Code::kInvalidArgument, key + ": expected " + std::string(expected) + ", got '" + *text + "'" + from);
}

}  // namespace

Result<std::string> Config::RequireString(const std::string& key) const {
    return Require<std::string>(*this, key, "a value", [](const std::string& t) { return std::optional(t); });
}

Result<int64_t> Config::RequireInt(const std::string& key) const {
    return Require<int64_t>(*this, key, "a whole number", ParseInt);
}

Result<double> Config::RequireDouble(const std::string& key) const {
    return Require<double>(*this, key, "a number", ParseDouble);
}

Result<bool> Config::RequireBool(const std::string& key) const {
    return Require<bool>(*this, key, "true or false", ParseBool);
}

Result<std::chrono::milliseconds> Config::RequireMillis(const std::string& key) const {
    return Require<std::chrono::milliseconds>(*this, key, "a whole number of milliseconds >= 0",
                                              [](std::string_view t) -> std::optional<int64_t> {
                                                  auto v = ParseInt(t);
                                                  return v && *v >= 0 ? v : std::nullopt;
                                              });
}

Result<std::vector<std::string>> Config::RequireList(const std::string& key) const {
    if (auto v = EnvOverride(key)) return SplitList(*v);
    if (root_) {
        YAML::Node node = Walk(*root_, key);
        if (node.IsDefined()) return GetList(key);
    }
    return Fail(Code::kInvalidArgument, key + ": required key missing");
}

std::vector<std::string> Config::Children(const std::string& key) const {
    std::vector<std::string> out;
    if (!root_) return out;
    YAML::Node node = Walk(*root_, key);
    if (node.IsSequence()) {
        size_t i = 0;
        for (const auto& el : node) {
            out.push_back(el.IsMap() && el["name"] ? el["name"].as<std::string>() : std::to_string(i));
            ++i;
        }
    } else if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) out.push_back(it->first.as<std::string>());
    }
    return out;
}

std::vector<std::string> Config::GetList(const std::string& key) const {
    if (auto v = EnvOverride(key)) return SplitList(*v);
    std::vector<std::string> out;
    if (!root_) return out;
    YAML::Node node = Walk(*root_, key);
    if (node.IsSequence()) {
        for (const auto& el : node) {
            if (el.IsScalar()) out.push_back(el.as<std::string>());
        }
    } else if (node.IsScalar()) {
        out.push_back(node.as<std::string>());
    }
    return out;
}

void Config::Set(const std::string& key, std::string value) { overrides_[key] = std::move(value); }

}  // namespace reservo
