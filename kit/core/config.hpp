// Configuration: one YAML document per system, overridable key by key from the environment.
//
//   Config cfg = Config::FromYaml(text).value();
//   int64_t timeout = cfg.GetInt("services.reservation.dependencies.vaccine-mgmt.timeout-ms", 600);
//
// A key `a.b-c.d` is overridden by the variable `RESERVO_A_B_C_D` (upper case, `.` and `-`
// become `_`), which is what a Kubernetes ConfigMap sets. Lists are addressed by the
// element's `name` field when it has one (`services.reservation.port`), else by index.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kit/core/error.hpp"

namespace YAML {
class Node;
}

namespace reservo {

class Config final {
  public:
    using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

    static Result<Config> FromYaml(const std::string& text, EnvLookup env = ProcessEnv());
    static Result<Config> FromFile(const std::string& path, EnvLookup env = ProcessEnv());
    static EnvLookup ProcessEnv();

    // The environment variable that overrides `key`.
    static std::string EnvName(const std::string& key);

    std::optional<std::string> Find(const std::string& key) const;
    std::string GetString(const std::string& key, const std::string& fallback = "") const;
    int64_t GetInt(const std::string& key, int64_t fallback) const;
    double GetDouble(const std::string& key, double fallback) const;
    bool GetBool(const std::string& key, bool fallback) const;

    // Names of the elements of a list (their `name` field) or keys of a map at `key`.
    std::vector<std::string> Children(const std::string& key) const;
    // Scalars of a list at `key` (e.g. route predicates).
    std::vector<std::string> GetList(const std::string& key) const;

    // Sets a value in memory (used by `serve` for computed settings such as ports).
    void Set(const std::string& key, std::string value);

  private:
    Config() = default;
    std::optional<std::string> FindInYaml(const std::string& key) const;

    std::shared_ptr<YAML::Node> root_;
    std::map<std::string, std::string> overrides_;
    EnvLookup env_;
};

}  // namespace reservo
