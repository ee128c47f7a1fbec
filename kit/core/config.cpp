#include "kit/core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
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

std::string Config::GetString(const std::string& key, const std::string& fallback) const {
    return Find(key).value_or(fallback);
}

int64_t Config::GetInt(const std::string& key, int64_t fallback) const {
    auto v = Find(key);
    if (!v) return fallback;
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    return (ec == std::errc() && p == v->data() + v->size()) ? out : fallback;
}

double Config::GetDouble(const std::string& key, double fallback) const {
    auto v = Find(key);
    if (!v) return fallback;
    char* end = nullptr;
    double out = std::strtod(v->c_str(), &end);
    return (end && *end == '\0' && !v->empty()) ? out : fallback;
}

bool Config::GetBool(const std::string& key, bool fallback) const {
    auto v = Find(key);
    if (!v) return fallback;
    if (*v == "true" || *v == "1" || *v == "yes" || *v == "on") return true;
    if (*v == "false" || *v == "0" || *v == "no" || *v == "off") return false;
    return fallback;
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
    std::vector<std::string> out;
    if (auto v = env_ ? env_(EnvName(key)) : std::nullopt) {
        std::string cur;
        for (char c : *v) {
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
