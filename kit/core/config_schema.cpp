#include "kit/core/config_schema.hpp"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

extern char** environ;

namespace reservo {
namespace {

constexpr std::string_view kEnvPrefix = "RESERVO_";
// A duration longer than this is a typo, and would overflow a deadline computed in nanoseconds.
constexpr int64_t kMaxMillis = 1'000'000'000'000;  // about 31 years
constexpr int64_t kIntMax = std::numeric_limits<int>::max();

std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ") {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

std::string JoinKey(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

std::vector<std::string> SplitPath(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        parts.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

std::string FormatDouble(double d) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

bool IsName(std::string_view v) {
    if (v.empty() || v[0] < 'a' || v[0] > 'z') return false;
    return std::all_of(v.begin(), v.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool IsIpv4(std::string_view v) {
    in_addr addr{};
    return ::inet_pton(AF_INET, std::string(v).c_str(), &addr) == 1;
}

bool IsAddressOrCidr(std::string_view v) {
    size_t slash = v.find('/');
    std::string address(v.substr(0, slash));
    unsigned char buf[sizeof(in6_addr)];
    int bits = 0;
    if (::inet_pton(AF_INET, address.c_str(), buf) == 1) {
        bits = 32;
    } else if (::inet_pton(AF_INET6, address.c_str(), buf) == 1) {
        bits = 128;
    } else {
        return false;
    }
    if (slash == std::string_view::npos) return true;
    auto prefix = Config::ParseInt(v.substr(slash + 1));
    return prefix && *prefix >= 0 && *prefix <= bits;
}

// http://host[:port][/path], as the HTTP client takes a base URL.
bool IsHttpUrl(std::string_view v) {
    constexpr std::string_view kScheme = "http://";
    if (!v.starts_with(kScheme)) return false;
    v.remove_prefix(kScheme.size());
    std::string_view authority = v.substr(0, v.find('/'));
    size_t colon = authority.rfind(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty() || host.find_first_of(" @?#") != std::string_view::npos) return false;
    if (colon == std::string_view::npos) return true;
    auto port = Config::ParseInt(authority.substr(colon + 1));
    return port && *port >= 1 && *port <= 65535;
}

// Optimal string alignment distance: edits, with a swap of two neighbours counting as one.
size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string Suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    auto best = DidYouMean(word, candidates);
    return best ? " (did you mean " + *best + "?)" : "";
}

bool IsList(Schema::Kind kind) {
    return kind == Schema::Kind::kStringList || kind == Schema::Kind::kPathList ||
           kind == Schema::Kind::kEndpointList || kind == Schema::Kind::kAddressList;
}

std::string Describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "nothing";
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a map";
    return "'" + node.as<std::string>() + "'";
}

// The value at `key` of a YAML map, or an undefined node.
YAML::Node Child(const YAML::Node& map, const std::string& key) {
    if (map.IsMap()) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it->first.IsScalar() && it->first.as<std::string>() == key) return it->second;
        }
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

// ---- Schema --------------------------------------------------------------------------------

Schema Schema::Int(int64_t min, int64_t max) {
    Schema s(Kind::kInt);
    s.int_min_ = min;
    s.int_max_ = max;
    return s;
}

Schema Schema::Millis(int64_t min) {
    Schema s(Kind::kMillis);
    s.int_min_ = min;
    s.int_max_ = kMaxMillis;
    return s;
}

Schema Schema::Double(double min, double max, bool min_exclusive) {
    Schema s(Kind::kDouble);
    s.min_ = min;
    s.max_ = max;
    s.min_exclusive_ = min_exclusive;
    return s;
}

Schema Schema::Bool() { return Schema(Kind::kBool); }

Schema Schema::Enum(std::vector<std::string> choices) {
    Schema s(Kind::kEnum);
    s.choices_ = std::move(choices);
    return s;
}

Schema Schema::String() { return Schema(Kind::kString); }
Schema Schema::Name() { return Schema(Kind::kName); }
Schema Schema::Url() { return Schema(Kind::kUrl); }
Schema Schema::Ipv4() { return Schema(Kind::kIpv4); }
Schema Schema::StringList() { return Schema(Kind::kStringList); }
Schema Schema::PathList() { return Schema(Kind::kPathList); }
Schema Schema::EndpointList() { return Schema(Kind::kEndpointList); }
Schema Schema::AddressList() { return Schema(Kind::kAddressList); }

Schema Schema::Map(std::vector<Field> fields) {
    Schema s(Kind::kMap);
    s.fields_ = std::move(fields);
    return s;
}

Schema Schema::NamedList(Schema element, std::vector<std::string> reserved) {
    Schema s(Kind::kNamedList);
    s.element_.push_back(std::move(element));
    s.choices_ = std::move(reserved);
    return s;
}

Schema Schema::FreeMap(Schema value, Keys keys, std::string what) {
    Schema s(Kind::kFreeMap);
    s.element_.push_back(std::move(value));
    s.keys_ = keys;
    s.what_ = std::move(what);
    return s;
}

Schema Schema::Required() const& { return Schema(*this).Required(); }

Schema Schema::Required() && {
    required_ = true;
    return std::move(*this);
}

Status Schema::Add(const std::string& path, Schema node) {
    const std::vector<std::string> segments = SplitPath(path);
    Schema* at = this;
    std::string key;
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string& segment = segments[i];
        const bool last = i + 1 == segments.size();
        key = JoinKey(key, segment);
        if (segment.empty()) return Fail(Code::kInvalidArgument, "'" + path + "' is not a key path");
        if (at->kind_ == Kind::kMap) {
            auto it =
                std::find_if(at->fields_.begin(), at->fields_.end(), [&](const Field& f) { return f.key == segment; });
            if (last) {
                if (it != at->fields_.end()) return Fail(Code::kInvalidArgument, key + ": already declared");
                at->fields_.push_back({segment, std::move(node)});
                return Ok();
            }
            if (it == at->fields_.end()) {
                at->fields_.push_back({segment, Map({})});
                it = std::prev(at->fields_.end());
            }
            at = &it->schema;
        } else if (at->kind_ == Kind::kNamedList || at->kind_ == Kind::kFreeMap) {
            auto it = std::find_if(at->by_name_.begin(), at->by_name_.end(),
                                   [&](const Field& f) { return f.key == segment; });
            if (it == at->by_name_.end()) {
                at->by_name_.push_back({segment, at->element_.front()});
                it = std::prev(at->by_name_.end());
            }
            if (last) {
                if (node.kind_ != Kind::kMap)
                    return Fail(Code::kInvalidArgument, key + ": an element takes a map of keys");
                for (auto& field : node.fields_) {
                    auto& fields = it->schema.fields_;
                    if (std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.key == field.key; })) {
                        return Fail(Code::kInvalidArgument, key + "." + field.key + ": already declared");
                    }
                    fields.push_back(std::move(field));
                }
                it->schema.required_ = it->schema.required_ || node.required_;
                return Ok();
            }
            at = &it->schema;
        } else {
            return Fail(Code::kInvalidArgument, key + ": holds a value, not keys");
        }
    }
    return Ok();
}

Status Schema::AddServiceSettings(const std::string& service, const std::vector<SettingSpec>& settings) {
    for (const auto& setting : settings) {
        if (auto added = Add("services." + service + "." + setting.path, setting.schema); !added) return added;
    }
    return Ok();
}

std::string Schema::Expected() const {
    switch (kind_) {
        case Kind::kInt:
        case Kind::kMillis: {
            std::string what = kind_ == Kind::kInt ? "a whole number" : "a whole number of milliseconds";
            const bool has_min = int_min_ != std::numeric_limits<int64_t>::min();
            const bool has_max = kind_ == Kind::kInt && int_max_ != std::numeric_limits<int64_t>::max();
            if (has_min && has_max)
                return what + " from " + std::to_string(int_min_) + " to " + std::to_string(int_max_);
            if (has_min) return what + " >= " + std::to_string(int_min_);
            if (has_max) return what + " <= " + std::to_string(int_max_);
            return what;
        }
        case Kind::kDouble: {
            std::string out = "a number";
            const bool has_min = min_ != -std::numeric_limits<double>::infinity();
            const bool has_max = max_ != std::numeric_limits<double>::infinity();
            if (has_min) out += (min_exclusive_ ? " > " : " >= ") + FormatDouble(min_);
            if (has_min && has_max) out += " and";
            if (has_max) out += " <= " + FormatDouble(max_);
            return out;
        }
        case Kind::kBool:
            return "true or false";
        case Kind::kEnum:
            return "one of " + Join(choices_);
        case Kind::kString:
            return "a non-empty value";
        case Kind::kName:
            return "a name of lower-case letters, digits and '-', starting with a letter";
        case Kind::kUrl:
            return "an http:// URL (http://host:port)";
        case Kind::kIpv4:
            return "an IPv4 address";
        case Kind::kStringList:
            return "a list of non-empty values";
        case Kind::kPathList:
            return "a list of paths starting with '/'";
        case Kind::kEndpointList:
            return "a list of paths starting with '/', each alone or after a method (\"POST /things\")";
        case Kind::kAddressList:
            return "a list of IP addresses or CIDR ranges";
        case Kind::kMap:
            return "a map of keys";
        case Kind::kNamedList:
            return "a list of elements with a name";
        case Kind::kFreeMap:
            return "a map";
    }
    return "";
}

std::optional<std::string> Schema::Reject(std::string_view value) const {
    bool ok = true;
    std::string extra;
    switch (kind_) {
        case Kind::kInt:
        case Kind::kMillis: {
            auto v = Config::ParseInt(value);
            ok = v && *v >= int_min_ && *v <= int_max_;
            if (v && *v > int_max_ && kind_ == Kind::kMillis) extra = " (more than " + std::to_string(int_max_) + ")";
            break;
        }
        case Kind::kDouble: {
            auto v = Config::ParseDouble(value);
            ok = v && (min_exclusive_ ? *v > min_ : *v >= min_) && *v <= max_;
            break;
        }
        case Kind::kBool:
            ok = Config::ParseBool(value).has_value();
            break;
        case Kind::kEnum:
            ok = std::find(choices_.begin(), choices_.end(), value) != choices_.end();
            if (!ok) extra = Suggestion(value, choices_);
            break;
        case Kind::kString:
        case Kind::kStringList:
            ok = !value.empty();
            break;
        case Kind::kName:
            ok = IsName(value);
            break;
        case Kind::kUrl:
            ok = IsHttpUrl(value);
            break;
        case Kind::kIpv4:
            ok = IsIpv4(value);
            break;
        case Kind::kPathList:
            ok = value.starts_with('/');
            break;
        case Kind::kEndpointList: {
            constexpr std::string_view kMethods[] = {"GET ", "HEAD ", "POST ", "PUT ", "PATCH ", "DELETE "};
            std::string_view path = value;
            for (std::string_view m : kMethods) {
                if (path.starts_with(m)) path.remove_prefix(m.size());
            }
            ok = path.starts_with('/');
            break;
        }
        case Kind::kAddressList:
            ok = IsAddressOrCidr(value);
            break;
        case Kind::kMap:
        case Kind::kNamedList:
        case Kind::kFreeMap:
            break;
    }
    if (ok) return std::nullopt;
    return "expected " + Expected() + ", got '" + std::string(value) + "'" + extra;
}

// ---- Validation ----------------------------------------------------------------------------

// Walks the schema and the YAML tree together, collecting every problem.
class SchemaWalk final {
  public:
    SchemaWalk(const Config& config, const std::vector<std::string>& env_names) : config_(config) {
        for (const auto& name : env_names) {
            if (name.starts_with(kEnvPrefix)) env_set_.insert(name);
        }
        services_ = config.Children("services");
        system_ = config.Find("system").value_or("");
    }

    std::vector<std::string> Run(const Schema& schema) {
        Visit(schema, *config_.Tree(), "", true);
        CheckEnvironment();
        return std::move(problems_);
    }

  private:
    void Problem(const std::string& key, const std::string& why) {
        problems_.push_back((key.empty() ? "the document" : key) + ": " + why);
    }

    // Whether a variable that is set overrides a key below `key`.
    bool EnvUnder(const std::string& key) const {
        const std::string prefix = Config::EnvName(key) + "_";
        auto it = env_set_.lower_bound(prefix);
        return it != env_set_.end() && it->starts_with(prefix);
    }

    static const Schema& ElementFor(const Schema& s, const std::string& name) {
        for (const auto& f : s.by_name_) {
            if (f.key == name) return f.schema;
        }
        return s.element_.front();
    }

    // `report_missing`: whether a missing required key is a problem (not below an absent optional map).
    void Visit(const Schema& s, const YAML::Node& node, const std::string& key, bool report_missing) {
        switch (s.kind_) {
            case Schema::Kind::kMap:
                return VisitMap(s, node, key, report_missing);
            case Schema::Kind::kNamedList:
                return VisitNamedList(s, node, key, report_missing);
            case Schema::Kind::kFreeMap:
                return VisitFreeMap(s, node, key, report_missing);
            default:
                return VisitValue(s, node, key, report_missing);
        }
    }

    void VisitMap(const Schema& s, const YAML::Node& node, const std::string& key, bool report_missing,
                  const std::string& skip = "") {
        const YAML::Node none(YAML::NodeType::Undefined);
        if (!node.IsDefined()) {
            if (s.required_ && report_missing && !EnvUnder(key)) {
                Problem(key, "required key missing");
                report_missing = false;
            }
            report_missing = report_missing && s.required_;
        } else if (!node.IsNull() && !node.IsMap()) {
            Problem(key, "expected a map of keys, got " + Describe(node));
            return VisitMap(s, none, key, false, skip);
        }
        std::set<std::string> seen;
        if (node.IsMap()) {
            std::vector<std::string> known;
            for (const auto& f : s.fields_) known.push_back(f.key);
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (!it->first.IsScalar()) {
                    Problem(key, "a key is not a plain word");
                    continue;
                }
                const std::string name = it->first.as<std::string>();
                if (!seen.insert(name).second) {
                    Problem(JoinKey(key, name), "declared twice");
                } else if (std::find(known.begin(), known.end(), name) == known.end()) {
                    std::string hint = Suggestion(name, known);
                    if (hint.empty() && !known.empty()) hint = " (known here: " + Join(known) + ")";
                    Problem(JoinKey(key, name), "unknown key" + hint);
                }
            }
        }
        for (const auto& f : s.fields_) {
            if (f.key == skip) continue;
            Visit(f.schema, node.IsMap() ? Child(node, f.key) : none, JoinKey(key, f.key), report_missing);
        }
    }

    void VisitNamedList(const Schema& s, const YAML::Node& node, const std::string& key, bool report_missing) {
        if (!node.IsDefined() || node.IsNull()) {
            if (s.required_ && report_missing) Problem(key, "required key missing");
            return;
        }
        if (!node.IsSequence()) {
            Problem(key, "expected " + s.Expected() + ", got " + Describe(node));
            return;
        }
        std::set<std::string> names;
        size_t index = 0;
        for (const auto& el : node) {
            const std::string at = JoinKey(key, std::to_string(index++));
            const YAML::Node name_node = Child(el, "name");
            if (!el.IsMap() || !name_node.IsScalar()) {
                Problem(at, "expected a map with a name, got " + Describe(el));
                continue;
            }
            const std::string name = name_node.as<std::string>();
            const Schema& element = ElementFor(s, name);
            auto name_field = std::find_if(element.fields_.begin(), element.fields_.end(),
                                           [](const Schema::Field& f) { return f.key == "name"; });
            std::optional<std::string> bad_name;
            if (name_field != element.fields_.end()) bad_name = name_field->schema.Reject(name);
            if (bad_name) {
                Problem(at + ".name", *bad_name);
            } else if (std::find(s.choices_.begin(), s.choices_.end(), name) != s.choices_.end()) {
                Problem(JoinKey(key, name), "'" + name + "' is a reserved name");
            } else if (!names.insert(name).second) {
                Problem(JoinKey(key, name), "declared twice");
            } else {
                // The name is the element's address: a variable can not rename it.
                VisitMap(element, el, JoinKey(key, name), true, "name");
            }
        }
        for (const auto& f : s.by_name_) {
            if (f.schema.required_ && report_missing && !names.contains(f.key)) {
                Problem(JoinKey(key, f.key), "required element missing");
            }
        }
    }

    void VisitFreeMap(const Schema& s, const YAML::Node& node, const std::string& key, bool report_missing) {
        const YAML::Node none(YAML::NodeType::Undefined);
        if (node.IsDefined() && !node.IsNull() && !node.IsMap()) {
            Problem(key, "expected " + s.Expected() + ", got " + Describe(node));
            return VisitFreeMap(s, none, key, false);
        }
        std::set<std::string> present;
        if (node.IsMap()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (!it->first.IsScalar()) {
                    Problem(key, "a key is not a plain word");
                    continue;
                }
                const std::string name = it->first.as<std::string>();
                const std::string at = JoinKey(key, name);
                if (!present.insert(name).second) {
                    Problem(at, "declared twice");
                } else if (s.keys_ == Schema::Keys::kServices &&
                           std::find(services_.begin(), services_.end(), name) == services_.end()) {
                    Problem(at, s.what_ + " '" + name + "' is not a service of system '" + system_ + "'" +
                                    Suggestion(name, services_));
                } else {
                    Visit(ElementFor(s, name), it->second, at, true);
                }
            }
        }
        for (const auto& f : s.by_name_) {
            if (f.schema.required_ && report_missing && !present.contains(f.key)) {
                Problem(JoinKey(key, f.key), "required key missing");
            }
        }
        // Keys a variable may set although the YAML has no such element (a dependency on any service).
        if (s.keys_ == Schema::Keys::kServices) {
            for (const auto& service : services_) {
                if (!present.contains(service)) Visit(ElementFor(s, service), none, JoinKey(key, service), false);
            }
        }
    }

    void VisitValue(const Schema& s, const YAML::Node& node, const std::string& key, bool report_missing) {
        const std::string var = Config::EnvName(key);
        known_env_[var].insert(key);
        const bool list = IsList(s.kind_);
        auto check = [&](std::string_view value, const std::string& source) {
            if (auto why = s.Reject(value)) Problem(key, *why + source);
        };
        // The file's value, even when a variable overrides it: it is used as soon as the variable goes.
        if (node.IsDefined()) {
            if (node.IsScalar()) {
                check(node.as<std::string>(), "");
            } else if (list && node.IsSequence()) {
                for (const auto& el : node) {
                    if (el.IsScalar()) {
                        check(el.as<std::string>(), "");
                    } else {
                        Problem(key, "expected " + s.Expected() + ", got " + Describe(el) + " in the list");
                    }
                }
            } else if (!(list && node.IsNull())) {
                Problem(key, "expected " + s.Expected() + ", got " + Describe(node));
            }
        }
        if (auto env = config_.EnvOverride(key)) {
            if (list) {
                for (const auto& item : Config::SplitList(*env)) check(item, " (from " + var + ")");
            } else {
                check(*env, " (from " + var + ")");
            }
            return;
        }
        auto effective = config_.Find(key);  // a value set in code (Config::Set)
        if (effective && !(node.IsScalar() && node.as<std::string>() == *effective))
            check(*effective, " (set at start-up)");
        if (!node.IsDefined() && !effective && s.required_ && report_missing) Problem(key, "required key missing");
    }

    void CheckEnvironment() {
        std::vector<std::string> candidates;
        for (const auto& [var, _] : known_env_) candidates.push_back(var);
        for (const auto& var : ProcessVariables()) candidates.push_back(var);
        const auto& process = ProcessVariables();
        for (const auto& var : env_set_) {
            if (std::find(process.begin(), process.end(), var) != process.end()) continue;
            auto it = known_env_.find(var);
            if (it == known_env_.end()) {
                Problem(var, "environment variable overrides no configuration key" + Suggestion(var, candidates));
            } else if (it->second.size() > 1) {
                Problem(var, "environment variable overrides more than one key: " +
                                 Join(std::vector<std::string>(it->second.begin(), it->second.end())));
            }
        }
    }

    const Config& config_;
    std::set<std::string> env_set_;
    std::vector<std::string> services_;
    std::string system_;
    std::map<std::string, std::set<std::string>> known_env_;  // variable → the keys it overrides
    std::vector<std::string> problems_;
};

std::optional<std::string> DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        size_t d = EditDistance(word, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

const std::vector<std::string>& ProcessVariables() {
    // Read by the runtime or its tools, inherited by the services `reservo up` starts.
    static const std::vector<std::string> kVariables = {
        "RESERVO_FAULTS",          // fault injection on (cli/up_plan.cpp, systems/catalog.cpp)
        "RESERVO_LISTEN_FD",       // inherited listening socket (cli/supervisor.cpp)
        "RESERVO_READY_FD",        // readiness pipe (cli/supervisor.cpp, kit/service/host.cpp)
        "RESERVO_REPLICA",         // index of this replica (cli/supervisor.cpp)
        "RESERVO_REPLICAS",        // replicas of this service (cli/supervisor.cpp)
        "RESERVO_LOG_LEVEL",       // systems/catalog.cpp
        "RESERVO_DATA",            // data directory
        "RESERVO_E2E_KEEP",        // keep end-to-end test directories (tests/e2e/system_fixture.cpp)
        "RESERVO_E2E_PORT_BLOCK",  // the ports one end-to-end test binary may use (tests/CMakeLists.txt)
        "RESERVO_FAKE_SERVICE",    // the supervisor tests' stand-in service (cli/testdata)
        "RESERVO_BIN",             // the binary the benchmarks start (bench/)
        "RESERVO_BENCH",           // install benchmark tools (scripts/install-deps.sh)
    };
    return kVariables;
}

std::vector<std::string> ProcessEnvNames() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (!entry.starts_with(kEnvPrefix)) continue;
        out.emplace_back(entry.substr(0, entry.find('=')));
    }
    return out;
}

Status Validate(const Config& config, const Schema& schema, const std::optional<std::vector<std::string>>& env_names) {
    if (!config.Tree()) return Fail(Code::kInvalidArgument, "no configuration loaded");
    std::vector<std::string> problems = SchemaWalk(config, env_names ? *env_names : ProcessEnvNames()).Run(schema);
    if (problems.empty()) return Ok();
    return Fail(Code::kInvalidArgument, Join(problems, "\n"));
}

// ---- The kit's keys ------------------------------------------------------------------------

namespace {

Schema CircuitBreakerSchema() {
    return Schema::Map({
        {"window-size", Schema::Int(1, kIntMax).Required()},
        {"minimum-calls", Schema::Int(1, kIntMax).Required()},
        {"failure-rate-threshold", Schema::Double(0, 100, true).Required()},
        {"slow-call-duration-ms", Schema::Millis(1).Required()},
        {"slow-call-rate-threshold", Schema::Double(0, 100, true).Required()},
        {"open-wait-ms", Schema::Millis(0).Required()},
        {"half-open-calls", Schema::Int(1, kIntMax).Required()},
    });
}

// CallPolicy::FromConfig under services.<svc>.dependencies.<dep>.
Schema DependencySchema() {
    return Schema::Map({
        {"timeout-ms", Schema::Millis(1).Required()},
        {"bulkhead", Schema::Int(1, kIntMax).Required()},
        {"url", Schema::Url()},
        // How the calls travel: rest (the default) over `url`; grpc where the caller has a gRPC
        // adapter for the dependency (hotel's reservation → payment), to `grpc-target` (host:port)
        // or, without one, to where the dependency's own configuration says it listens.
        {"transport", Schema::Enum({"rest", "grpc"})},
        {"grpc-target", Schema::String()},
        {"circuit-breaker", CircuitBreakerSchema().Required()},
        {"retry", Schema::Map({
                      {"max-attempts", Schema::Int(1, kIntMax)},
                      {"backoff-ms", Schema::Millis(0)},
                      {"multiplier", Schema::Double(1)},
                      {"max-backoff-ms", Schema::Millis(0)},
                      {"jitter", Schema::Double(0, 1)},
                      {"budget-percent", Schema::Double(0, 100)},
                  })},
    });
}

Schema StoreEngineSchema() { return Schema::Enum({"sqlite", "postgres"}); }

// A libpq URI or keyword/value string; a local server in the data directory when absent.
Schema PostgresSchema() { return Schema::Map({{"url", Schema::String()}}); }

}  // namespace

Schema KitSchema() {
    // Required: every key the readers fall back on a default for and the system YAML gives.
    return Schema::Map({
        {"system", Schema::Name().Required()},
        {"gateway",
         Schema::Map({
                         {"port", Schema::Int(1, 65535).Required()},
                         {"bind-address", Schema::Ipv4().Required()},
                         {"timeout-ms", Schema::Millis(1).Required()},
                         {"max-body-bytes", Schema::Int(1).Required()},
                         {"trusted-proxies", Schema::AddressList().Required()},
                         // The web console (edge/gateway/console.hpp): its pages are public; what it
                         // reads and changes answers only clients from `operators`.
                         {"console", Schema::Map({
                                                     {"enabled", Schema::Bool().Required()},
                                                     {"operators", Schema::AddressList().Required()},
                                                 })
                                         .Required()},
                         {"access-log", Schema::Bool().Required()},
                         {"cors", Schema::Map({
                                                  {"allowed-origins", Schema::StringList().Required()},
                                                  {"allowed-headers", Schema::StringList().Required()},
                                                  {"allowed-methods", Schema::StringList().Required()},
                                              })
                                      .Required()},
                         {"rate-limit", Schema::Map({
                                                        {"requests-per-second", Schema::Double(0).Required()},
                                                        {"burst", Schema::Double(0).Required()},
                                                    })
                                            .Required()},
                         // OAuth2 resource server: every route needs a bearer token (edge/gateway/bearer_guard).
                         {"auth", Schema::Map({
                                      {"token-service", Schema::Name().Required()},
                                      {"issuer", Schema::String().Required()},
                                      {"audience", Schema::String().Required()},
                                      {"read-scope", Schema::String().Required()},
                                      {"write-scope", Schema::String().Required()},
                                      {"clock-skew-ms", Schema::Millis(0).Required()},
                                      {"jwks-refresh-ms", Schema::Millis(1000).Required()},
                                  })},
                         // The gateway's per-upstream policy; its timeout is the route's and it never retries,
                         // so `timeout-ms` and `retry` here would be ignored: unknown keys.
                         {"upstream", Schema::Map({
                                                      {"bulkhead", Schema::Int(1, kIntMax).Required()},
                                                      {"circuit-breaker", CircuitBreakerSchema().Required()},
                                                  })
                                          .Required()},
                     })
             .Required()},
        {"runtime", Schema::Map({
                                    {"bind-address", Schema::Ipv4().Required()},
                                    {"port-base", Schema::Int(-1, 65535)},  // set by `serve --port-base`
                                })
                        .Required()},
        {"store", Schema::Map({
                                  {"engine", StoreEngineSchema().Required()},
                                  {"synchronous", Schema::Enum({"normal", "full"}).Required()},
                                  {"accept-new", Schema::Bool().Required()},
                                  {"postgres", PostgresSchema()},
                              })
                      .Required()},
        {"idempotency", Schema::Map({{"retention-ms", Schema::Millis(1).Required()}}).Required()},
        {"events", Schema::Map({
                                   {"engine", Schema::Enum({"embedded", "kafka"}).Required()},
                                   {"kafka", Schema::Map({
                                                 {"brokers", Schema::String()},  // host:port,...
                                                 {"security-protocol",
                                                  Schema::Enum({"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"})},
                                                 {"sasl-mechanism", Schema::String()},
                                                 {"sasl-username", Schema::String()},
                                                 {"sasl-password", Schema::String()},
                                                 {"replication-factor", Schema::Int(1, 32)},
                                                 // a member silent this long loses its partitions
                                                 {"session-timeout-ms", Schema::Millis(3000)},
                                             })},
                                   {"topic", Schema::String().Required()},
                                   {"partitions", Schema::Int(1, 256).Required()},
                                   {"retention-ms", Schema::Millis(0).Required()},
                                   {"inbox-retention-ms", Schema::Millis(0).Required()},
                               })
                       .Required()},
        {"http", Schema::Map({
                                 {"max-body-bytes", Schema::Int(1).Required()},
                                 {"idle-timeout-ms", Schema::Millis(1).Required()},
                                 {"max-connections", Schema::Int(1).Required()},
                             })
                     .Required()},
        // Spring Boot's actuator settings: what /actuator/health shows (kit/service/host.cpp).
        {"management",
         Schema::Map(
             {{"endpoint",
               Schema::Map({{"health",
                             Schema::Map({{"show-details", Schema::Enum({"always", "never"}).Required()}}).Required()}})
                   .Required()}})
             .Required()},
        {"services", Schema::NamedList(Schema::Map({
                                           {"name", Schema::Name().Required()},
                                           {"routes", Schema::PathList()},
                                           {"internal", Schema::EndpointList()},
                                           {"route-timeout-ms", Schema::Millis(1)},
                                           {"url", Schema::Url()},
                                           // The event types it publishes and consumes; the host
                                           // refuses others (kit/service/topology.hpp EventFlows).
                                           {"publishes", Schema::StringList()},
                                           {"consumes", Schema::StringList()},
                                           // The engine may differ per service (polyglot persistence).
                                           {"store", Schema::Map({
                                                         {"engine", StoreEngineSchema()},
                                                         {"postgres", PostgresSchema()},
                                                     })},
                                           {"dependencies",
                                            Schema::FreeMap(DependencySchema(), Schema::Keys::kServices, "dependency")},
                                       }),
                                       {"gateway"})  // the gateway is process 0, not a service
                         .Required()},
    });
}

}  // namespace reservo
