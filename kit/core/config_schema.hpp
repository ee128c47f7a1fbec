// The schema of a system YAML: which keys it may hold, what each one holds, which are required.
// A service checks its configuration against it before it starts and refuses to start on any
// problem — an unknown key, a typo, a dependency on a service the system does not have, a bad
// value (also one set by an environment variable), a missing required key, an environment
// variable that overrides nothing. Every problem is reported at once, one line each, naming the
// key (or variable) and why. Unknown keys are errors, as in userver's static config schema: a
// typo never falls back to a default silently.
//
//   Schema schema = KitSchema();
//   auto added = schema.AddServiceSettings("reservation", {{"abandon-after-ms", Schema::Millis(1).Required()}});
//   if (auto ok = Validate(config, schema); !ok) {
//       log::Error("invalid configuration", {{"problems", ok.error().message}});
//       return 2;
//   }
//
//   services.reservation.dependencies.vaccine-mgmt.timout-ms: unknown key (did you mean timeout-ms?)
//   services.reservation.dependencies.payment: dependency 'payment' is not a service of system 'vaccine'
//   gateway.timeout-ms: expected a whole number of milliseconds >= 1, got 'abc' (from RESERVO_GATEWAY_TIMEOUT_MS)
//   RESERVO_GATEWAY_TIMOUT_MS: environment variable overrides no configuration key (did you mean ...?)
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kit/core/config.hpp"
#include "kit/core/error.hpp"

namespace reservo {

struct SettingSpec;

// One node of a schema: a value with its constraints, a map of known keys, a list of named
// elements (`services: - name: x`), or a map whose keys are free (`dependencies: <service>: ...`).
class Schema final {
  public:
    // Scalars, lists of scalars (a YAML list or a comma-separated variable), then keys below.
    enum class Kind {
        kInt,
        kMillis,
        kDouble,
        kBool,
        kEnum,
        kString,
        kName,
        kUrl,
        kIpv4,
        kStringList,
        kPathList,
        kEndpointList,
        kAddressList,
        kMap,
        kNamedList,
        kFreeMap,
    };
    // What the keys of a free map may be.
    enum class Keys { kAny, kServices };  // kServices: names of the system's `services`
    struct Field;

    static Schema Int(int64_t min = std::numeric_limits<int64_t>::min(),
                      int64_t max = std::numeric_limits<int64_t>::max());
    static Schema Millis(int64_t min = 0);  // a duration in whole milliseconds
    static Schema Double(double min = -std::numeric_limits<double>::infinity(),
                         double max = std::numeric_limits<double>::infinity(), bool min_exclusive = false);
    static Schema Bool();  // true/false (also yes/no, on/off, 1/0, as Config::GetBool reads them)
    static Schema Enum(std::vector<std::string> choices);
    static Schema String();        // any non-empty text
    static Schema Name();          // lower-case letters, digits and '-', starting with a letter
    static Schema Url();           // http://host[:port][/path]
    static Schema Ipv4();          // a bind address
    static Schema StringList();    // a YAML list, or a comma-separated environment variable
    static Schema PathList();      // URL paths (route patterns), each starting with '/'
    static Schema EndpointList();  // paths, each alone (every method) or after one method: "POST /things"
    static Schema AddressList();   // IPv4/IPv6 addresses or CIDR ranges (trusted proxies)

    static Schema Map(std::vector<Field> fields);
    // Elements are maps with a `name` (checked by `element`'s `name` field); a reserved name may not be used.
    static Schema NamedList(Schema element, std::vector<std::string> reserved = {});
    // `what` names a key in messages ("dependency 'payment' is not a service of system 'vaccine'").
    static Schema FreeMap(Schema value, Keys keys = Keys::kAny, std::string what = "key");

    // The key must be present (in the YAML or the environment). A map marked so must be present;
    // the required keys of an absent optional map are not asked for.
    Schema Required() const&;
    Schema Required() &&;

    // Declares `node` at the dotted `path` below this map. Through a named list or a free map, a
    // segment names one element (`services.reservation.abandon-after-ms`): that element accepts
    // the keys of every element plus this one. At an element itself (`...dependencies.vaccine-mgmt`)
    // `node` must be a map: its keys are added and Required() makes the element required.
    // Fails if the key is already declared.
    Status Add(const std::string& path, Schema node);
    // Adds a service module's own settings under `services.<service>.`.
    Status AddServiceSettings(const std::string& service, const std::vector<SettingSpec>& settings);

    Kind kind() const { return kind_; }
    bool required() const { return required_; }
    // The values accepted, as messages say it: "a whole number of milliseconds >= 1".
    std::string Expected() const;
    // Why `value` (a YAML scalar or a variable's text; for a list kind, one element) is not
    // accepted ("expected ..., got '...'"), or nullopt. A map kind accepts anything here.
    std::optional<std::string> Reject(std::string_view value) const;

  private:
    friend class SchemaWalk;
    explicit Schema(Kind kind) : kind_(kind) {}

    Kind kind_;
    bool required_ = false;
    int64_t int_min_ = 0;
    int64_t int_max_ = 0;
    double min_ = 0;
    double max_ = 0;
    bool min_exclusive_ = false;
    std::vector<std::string> choices_;  // kEnum: values; kNamedList: reserved names
    std::vector<Field> fields_;         // kMap
    std::vector<Schema> element_;       // kNamedList, kFreeMap: one element schema
    std::vector<Field> by_name_;        // kNamedList, kFreeMap: elements with keys of their own
    Keys keys_ = Keys::kAny;
    std::string what_;
};

struct Schema::Field {
    std::string key;
    Schema schema;
};

// A key a service module adds under `services.<name>.`; `path` is relative to it.
struct SettingSpec {
    std::string path;
    Schema schema;
};

// Every key the kit, the gateway and the CLI read.
Schema KitSchema();

// RESERVO_* variables the runtime reads that are not configuration keys (RESERVO_FAULTS, ...).
const std::vector<std::string>& ProcessVariables();
// Names of this process's RESERVO_* environment variables.
std::vector<std::string> ProcessEnvNames();

// Checks `config` against `schema`: the YAML tree, the effective values after environment (and
// Config::Set) overrides, and `env_names`, the RESERVO_* variables set (nullopt: this process's),
// each of which must override a key or be one of ProcessVariables(). Fails with kInvalidArgument
// and one line per problem.
Status Validate(const Config& config, const Schema& schema,
                const std::optional<std::vector<std::string>>& env_names = std::nullopt);

// The closest of `candidates` to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace reservo
