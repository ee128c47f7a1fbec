// Configuration: one YAML document per system, overridable key by key from the environment.
//
//   Config cfg = Config::FromYaml(text).value();
//   auto timeout = cfg.RequireMillis("services.reservation.dependencies.vaccine-mgmt.timeout-ms");  // Result<ms>
//
// Defaults live in the system YAML: the Require* readers fail with a message naming the key
// (and the variable, when the bad value came from one) instead of falling back to a number in
// code. The Get*(key, fallback) readers predate them. kit/core/config_schema.hpp checks a whole
// configuration at start-up.
//
// A key `a.b-c.d` is overridden by the variable `RESERVO_A_B_C_D` (upper case, `.` and `-`
// become `_`), which is what a Kubernetes ConfigMap sets. Lists are addressed by the
// element's `name` field when it has one (`services.reservation.port`), else by index.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

    // How every reader parses a value, so that a check accepts exactly what a reader reads.
    static std::optional<int64_t> ParseInt(std::string_view text);
    static std::optional<double> ParseDouble(std::string_view text);   // finite only
    static std::optional<bool> ParseBool(std::string_view text);       // true/false, yes/no, on/off, 1/0
    static std::vector<std::string> SplitList(std::string_view text);  // "a, b,c" (a list from a variable)

    std::optional<std::string> Find(const std::string& key) const;
    std::string GetString(const std::string& key, const std::string& fallback = "") const;
    int64_t GetInt(const std::string& key, int64_t fallback) const;
    double GetDouble(const std::string& key, double fallback) const;
    bool GetBool(const std::string& key, bool fallback) const;

    // The value at `key`, or kInvalidArgument naming the key: missing, or not of the type
    // (a bad value from the environment names its variable).
    Result<std::string> RequireString(const std::string& key) const;
    Result<int64_t> RequireInt(const std::string& key) const;
    Result<double> RequireDouble(const std::string& key) const;
    Result<bool> RequireBool(const std::string& key) const;
    Result<std::chrono::milliseconds> RequireMillis(const std::string& key) const;  // whole milliseconds >= 0
    // A list present in the YAML (possibly empty) or the environment.
    Result<std::vector<std::string>> RequireList(const std::string& key) const;

    // The value of the environment variable overriding `key`, if it is set.
    std::optional<std::string> EnvOverride(const std::string& key) const;
    // The parsed document (for schema validation); never null once loaded.
    const YAML::Node* Tree() const { return root_.get(); }

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
