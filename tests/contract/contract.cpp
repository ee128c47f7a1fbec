#include "tests/contract/contract.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "kit/http/server.hpp"

namespace reservo::contract {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Parsing: every object is read through Fields, which refuses keys it was not asked for.

class Fields final {
  public:
    Fields(const bj::value& v, std::string where, std::string* error) : where_(std::move(where)), error_(error) {
        if (!v.is_object()) {
            Fail(where_ + ": expected an object");
            return;
        }
        object_ = &v.as_object();
    }

    const bj::value* Get(std::string_view key, bool required = false) {
        seen_.emplace_back(key);
        if (!object_) return nullptr;
        const bj::value* v = object_->if_contains(key);
        if (!v && required) Fail(Path(key) + ": missing");
        return v;
    }

    std::string String(std::string_view key, bool required = false) {
        const bj::value* v = Get(key, required);
        if (!v) return {};
        if (!v->is_string()) {
            Fail(Path(key) + ": expected a string");
            return {};
        }
        return std::string(v->as_string());
    }

    // Fails on keys nobody asked for; call after every Get.
    void Done() {
        if (!object_) return;
        for (const auto& [key, value] : *object_) {
            if (std::find(seen_.begin(), seen_.end(), std::string_view(key)) == seen_.end()) {
                Fail(Path(key) + ": unknown key");
            }
        }
    }

    std::string Path(std::string_view key) const { return where_ + "." + std::string(key); }
    void Fail(const std::string& message) {
        if (error_->empty()) *error_ = message;
    }

  private:
    std::string where_;
    std::string* error_;
    const bj::object* object_ = nullptr;
    std::vector<std::string> seen_;
};

constexpr std::string_view kTypes[] = {"string", "integer", "number", "boolean", "object", "array", "null"};

Matcher ParseMatcher(const bj::value& v, const std::string& where, std::string* error) {
    Matcher m;
    if (!v.is_object()) {
        m.equals = v;
        return m;
    }
    Fields f(v, where, error);
    if (const bj::value* t = f.Get("type")) {
        if (!t->is_string() || std::find(std::begin(kTypes), std::end(kTypes), t->as_string()) == std::end(kTypes)) {
            f.Fail(f.Path("type") + ": expected one of string, integer, number, boolean, object, array, null");
        } else {
            m.type = std::string(t->as_string());
        }
    }
    if (const bj::value* e = f.Get("equals")) m.equals = *e;
    if (const bj::value* e = f.Get("example")) m.example = *e;
    if (const bj::value* r = f.Get("regex")) {
        if (!r->is_string()) {
            f.Fail(f.Path("regex") + ": expected a string");
        } else {
            try {
                std::regex check{std::string(r->as_string())};
                m.regex = std::string(r->as_string());
            } catch (const std::regex_error& e) {
                f.Fail(f.Path("regex") + ": " + e.what());
            }
        }
    }
    if (const bj::value* a = f.Get("absent")) {
        if (!a->is_bool()) f.Fail(f.Path("absent") + ": expected true or false");
        m.absent = a->is_bool() && a->as_bool();
    }
    f.Done();
    if (!m.absent && !m.type && !m.equals && !m.regex && !m.example) {
        f.Fail(where + ": a matcher needs type, equals, regex, example or absent");
    }
    return m;
}

Matchers ParseMatchers(const bj::value* v, const std::string& where, std::string* error) {
    Matchers out;
    if (!v) return out;
    if (!v->is_object()) {
        if (error->empty()) *error = where + ": expected an object";
        return out;
    }
    for (const auto& [key, value] : v->as_object()) {
        out.emplace_back(std::string(key), ParseMatcher(value, where + "." + std::string(key), error));
    }
    return out;
}

RequestSpec ParseRequest(const bj::value& v, const std::string& where, std::string* error) {
    RequestSpec r;
    Fields f(v, where, error);
    r.method = f.String("method", true);
    r.path = f.String("path", true);
    if (!r.path.empty() && r.path[0] != '/') f.Fail(f.Path("path") + ": must start with /");
    r.query = ParseMatchers(f.Get("query"), f.Path("query"), error);
    r.headers = ParseMatchers(f.Get("headers"), f.Path("headers"), error);
    if (const bj::value* b = f.Get("body")) r.body = *b;
    f.Done();
    return r;
}

ResponseSpec ParseResponse(const bj::value* v, const std::string& where, bool status_required, std::string* error) {
    ResponseSpec r;
    if (!v) {
        if (status_required && error->empty()) *error = where + ": missing";
        return r;
    }
    Fields f(*v, where, error);
    if (const bj::value* s = f.Get("status", status_required)) {
        if (!s->is_int64() || s->as_int64() < 100 || s->as_int64() > 599) {
            f.Fail(f.Path("status") + ": expected an HTTP status");
        } else {
            r.status = static_cast<int>(s->as_int64());
        }
    }
    r.headers = ParseMatchers(f.Get("headers"), f.Path("headers"), error);
    r.body = ParseMatchers(f.Get("body"), f.Path("body"), error);
    f.Done();
    return r;
}

std::vector<Step> ParseSteps(const bj::value* v, const std::string& where, std::string* error) {
    std::vector<Step> steps;
    if (!v) return steps;
    if (!v->is_array()) {
        if (error->empty()) *error = where + ": expected an array";
        return steps;
    }
    for (size_t i = 0; i < v->as_array().size(); ++i) {
        std::string at = where + "[" + std::to_string(i) + "]";
        Step s;
        Fields f(v->as_array()[i], at, error);
        s.description = f.String("description", true);
        if (const bj::value* r = f.Get("request", true)) s.request = ParseRequest(*r, f.Path("request"), error);
        s.response = ParseResponse(f.Get("response"), f.Path("response"), false, error);
        if (const bj::value* c = f.Get("capture")) {
            if (!c->is_object()) f.Fail(f.Path("capture") + ": expected an object");
            for (const auto& [name, path] : c->is_object() ? c->as_object() : bj::object()) {
                if (!path.is_string()) f.Fail(f.Path("capture") + "." + std::string(name) + ": expected a path");
                s.capture.emplace_back(std::string(name), path.is_string() ? std::string(path.as_string()) : "");
            }
        }
        f.Done();
        steps.push_back(std::move(s));
    }
    return steps;
}

// ---------------------------------------------------------------------------------------------
// Values

std::string Text(const bj::value& v) { return v.is_string() ? std::string(v.as_string()) : bj::serialize(v); }

std::string Show(const bj::value* v) { return v ? bj::serialize(*v) : "nothing"; }

std::string TypeOf(const bj::value& v) {
    switch (v.kind()) {
        case bj::kind::string:
            return "string";
        case bj::kind::int64:
        case bj::kind::uint64:
            return "integer";
        case bj::kind::double_:
            return "number";
        case bj::kind::bool_:
            return "boolean";
        case bj::kind::object:
            return "object";
        case bj::kind::array:
            return "array";
        case bj::kind::null:
            return "null";
    }
    return "?";
}

bool HasType(const bj::value& v, std::string_view type) {
    if (type == "number") return v.is_number();
    return TypeOf(v) == type;
}

std::optional<double> NumberOf(const bj::value& v) {
    if (v.is_int64()) return static_cast<double>(v.as_int64());
    if (v.is_uint64()) return static_cast<double>(v.as_uint64());
    if (v.is_double()) return v.as_double();
    return std::nullopt;
}

// Equality with numbers compared by value (1 == 1u == 1.0).
bool JsonEquals(const bj::value& a, const bj::value& b) {
    if (a.is_number() && b.is_number()) {
        if (!a.is_double() && !b.is_double()) return bj::serialize(a) == bj::serialize(b);
        return NumberOf(a) == NumberOf(b);
    }
    if (a.kind() != b.kind()) return false;
    if (a.is_object()) {
        const auto &x = a.as_object(), &y = b.as_object();
        if (x.size() != y.size()) return false;
        for (const auto& [k, v] : x) {
            const bj::value* w = y.if_contains(k);
            if (!w || !JsonEquals(v, *w)) return false;
        }
        return true;
    }
    if (a.is_array()) {
        const auto &x = a.as_array(), &y = b.as_array();
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i) {
            if (!JsonEquals(x[i], y[i])) return false;
        }
        return true;
    }
    return a == b;
}

// A value of the matcher's type when it can be read as one ("42" as an integer), else as it is:
// variables bound from text (a query value) then compare with JSON numbers.
bj::value Coerce(const bj::value& v, const std::optional<std::string>& type) {
    if (!type || !v.is_string()) return v;
    std::string s(v.as_string());
    if (*type == "integer") {
        try {
            size_t used = 0;
            long long n = std::stoll(s, &used);
            if (used == s.size()) return bj::value(static_cast<int64_t>(n));
        } catch (...) {
        }
    } else if (*type == "number") {
        boost::system::error_code ec;
        bj::value n = bj::parse(s, ec);
        if (!ec && n.is_number()) return n;
    } else if (*type == "boolean" && (s == "true" || s == "false")) {
        return bj::value(s == "true");
    }
    return v;
}

bool IsWholeVariable(std::string_view s, std::string* name) {
    if (s.size() < 4 || !s.starts_with("${") || !s.ends_with("}")) return false;
    std::string_view inner = s.substr(2, s.size() - 3);
    if (inner.find_first_of("${}") != std::string_view::npos) return false;
    *name = std::string(inner);
    return true;
}

// The value at a dotted path ("a.b.0.c"); nullptr when absent.
const bj::value* At(const bj::value& root, std::string_view path) {
    const bj::value* v = &root;
    while (!path.empty()) {
        size_t dot = path.find('.');
        std::string_view part = path.substr(0, dot);
        path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
        if (v->is_object()) {
            v = v->as_object().if_contains(part);
        } else if (v->is_array()) {
            size_t i = 0;
            try {
                i = std::stoul(std::string(part));
            } catch (...) {
                return nullptr;
            }
            v = i < v->as_array().size() ? &v->as_array()[i] : nullptr;
        } else {
            return nullptr;
        }
        if (!v) return nullptr;
    }
    return v;
}

// Sets the value at a dotted path, creating objects on the way.
void Put(bj::object& root, std::string_view path, bj::value value) {
    bj::object* o = &root;
    for (;;) {
        size_t dot = path.find('.');
        std::string key(path.substr(0, dot));
        if (dot == std::string_view::npos) {
            (*o)[key] = std::move(value);
            return;
        }
        bj::value& next = (*o)[key];
        if (!next.is_object()) next = bj::object();
        o = &next.as_object();
        path = path.substr(dot + 1);
    }
}

std::string PercentEncode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// The value to send or answer for a matcher: `equals` with its variables bound, else `example`.
std::optional<bj::value> ExampleOf(const Matcher& m, const Vars& vars) {
    if (m.equals) {
        std::vector<std::string> unbound;
        bj::value v = Substitute(*m.equals, vars, &unbound);
        if (unbound.empty()) return Coerce(v, m.type);
    }
    if (m.example) return Substitute(*m.example, vars);
    return std::nullopt;
}

// Matches a text value (a query parameter or a header) and binds an unbound "${name}".
std::vector<std::string> MatchText(const std::string& where, const Matcher& m, const std::optional<std::string>& actual,
                                   Vars& vars) {
    if (m.absent)
        return actual ? std::vector<std::string>{where + ": expected absent, got \"" + *actual + "\""}
                      : std::vector<std::string>{};
    if (!actual) return {where + ": missing"};
    std::string name;
    if (m.equals && m.equals->is_string() && IsWholeVariable(m.equals->as_string(), &name) && !vars.contains(name)) {
        vars[name] = bj::string(*actual);
        Matcher rest = m;
        rest.equals.reset();
        if (!rest.type && !rest.regex) return {};
        return MatchText(where, rest, actual, vars);
    }
    std::vector<std::string> out;
    if (m.type && *m.type != "string") {
        bj::value coerced = Coerce(bj::string(*actual), m.type);
        if (!HasType(coerced, *m.type)) out.push_back(where + ": expected " + *m.type + ", got \"" + *actual + "\"");
    }
    if (m.equals) {
        std::string want = Text(Substitute(*m.equals, vars));
        if (want != *actual) out.push_back(where + ": expected \"" + want + "\", got \"" + *actual + "\"");
    }
    if (m.regex && !std::regex_match(*actual, std::regex(*m.regex))) {
        out.push_back(where + ": \"" + *actual + "\" does not match /" + *m.regex + "/");
    }
    return out;
}

// Deep comparison of a request body against the contract's, binding whole-string variables.
void MatchBody(const std::string& where, const bj::value& want, const bj::value& got, Vars& vars,
               std::vector<std::string>& out) {
    std::string name;
    if (want.is_string() && IsWholeVariable(want.as_string(), &name)) {
        if (!vars.contains(name)) {
            vars[name] = got;
            return;
        }
        if (!JsonEquals(vars[name], got))
            out.push_back(where + ": expected " + Show(&vars[name]) + ", got " + Show(&got));
        return;
    }
    if (want.is_object() && got.is_object()) {
        for (const auto& [k, v] : want.as_object()) {
            const bj::value* g = got.as_object().if_contains(k);
            if (!g) {
                out.push_back(where + "." + std::string(k) + ": missing");
                continue;
            }
            MatchBody(where + "." + std::string(k), v, *g, vars, out);
        }
        for (const auto& [k, v] : got.as_object()) {
            if (!want.as_object().contains(k)) out.push_back(where + "." + std::string(k) + ": not in the contract");
        }
        return;
    }
    bj::value expected = Substitute(want, vars);
    if (!JsonEquals(expected, got)) out.push_back(where + ": expected " + Show(&expected) + ", got " + Show(&got));
}

std::string Describe(const http::Request& req) { return req.method + " " + req.target; }

std::string Describe(const e2e::Reply& r) {
    if (r.status == 0) return "no answer (" + r.error + ")";
    std::string body = r.body.size() > 300 ? r.body.substr(0, 300) + "…" : r.body;
    return std::to_string(r.status) + (body.empty() ? "" : " " + body);
}

// Variables a request needs that nothing bound (a contract mistake, said as such).
std::vector<std::string> Unbound(const RequestSpec& spec, const Vars& vars) {
    std::vector<std::string> unbound;
    SubstituteText(spec.path, vars, &unbound);
    for (const auto* list : {&spec.query, &spec.headers}) {
        for (const auto& [name, m] : *list) {
            if (m.equals && !m.example) Substitute(*m.equals, vars, &unbound);
        }
    }
    if (spec.body) Substitute(*spec.body, vars, &unbound);
    std::vector<std::string> out;
    for (const auto& name : unbound) out.push_back("${" + name + "} is not bound by any provider state");
    return out;
}

// Runs one step; captures its variables; mismatches prefixed with `what`.
std::vector<std::string> RunStep(e2e::Http& http, int port, const Step& step, Vars& vars, const std::string& what) {
    if (auto unbound = Unbound(step.request, vars); !unbound.empty()) {
        for (auto& u : unbound) u = what + ": " + u;
        return unbound;
    }
    http::Request req = BuildRequest(step.request, vars);
    std::string sent = Describe(req);
    e2e::Reply reply = http.Call(port, std::move(req));
    std::vector<std::string> out;
    auto fail = [&](const std::string& m) {
        out.push_back(what + ": " + sent + " → " + m + "; got " + Describe(reply));
    };
    if (!step.response.status && (reply.status < 200 || reply.status > 299)) fail("expected a 2xx status");
    for (const auto& m : MatchResponse(step.response, reply, vars)) fail(m);
    if (!out.empty()) return out;
    bj::value body = reply.Json();
    for (const auto& [name, path] : step.capture) {
        if (path.starts_with("header:")) {
            std::string h = reply.Header(path.substr(7));
            if (h.empty()) fail("capture " + name + ": no " + path.substr(7) + " header");
            vars[name] = bj::string(h);
            continue;
        }
        const bj::value* v = At(body, path);
        if (!v) {
            fail("capture " + name + ": no " + path + " in the body");
            continue;
        }
        vars[name] = *v;
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Contract

const Interaction* Contract::Find(std::string_view description) const {
    for (const auto& i : interactions) {
        if (i.description == description) return &i;
    }
    return nullptr;
}

std::string Contract::Where(const Interaction& interaction) const {
    return file + " (" + consumer + " → " + provider + "), interaction \"" + interaction.description + "\"";
}

Result<Contract> ParseContract(std::string_view text, std::string file) {
    boost::system::error_code ec;
    bj::value root = bj::parse(text, ec);
    if (ec) return Fail(Code::kInvalidArgument, file + ": not JSON: " + ec.message());
    std::string error;
    Contract c;
    c.file = std::move(file);
    Fields f(root, "contract", &error);
    c.consumer = f.String("consumer", true);
    c.provider = f.String("provider", true);
    c.description = f.String("description");
    if (!c.provider.empty() && c.provider.find('/') == std::string::npos) {
        f.Fail("contract.provider: expected SYSTEM/SERVICE");
    }
    const bj::value* list = f.Get("interactions", true);
    if (list && (!list->is_array() || list->as_array().empty()))
        f.Fail("contract.interactions: expected a non-empty array");
    if (list && list->is_array()) {
        for (size_t i = 0; i < list->as_array().size(); ++i) {
            std::string at = "interactions[" + std::to_string(i) + "]";
            Interaction in;
            Fields g(list->as_array()[i], at, &error);
            in.description = g.String("description", true);
            if (c.Find(in.description)) g.Fail(g.Path("description") + ": used twice");
            in.given = ParseSteps(g.Get("providerStates"), g.Path("providerStates"), &error);
            if (const bj::value* r = g.Get("request", true)) in.request = ParseRequest(*r, g.Path("request"), &error);
            in.response = ParseResponse(g.Get("response", true), g.Path("response"), true, &error);
            in.then = ParseSteps(g.Get("then"), g.Path("then"), &error);
            g.Done();
            c.interactions.push_back(std::move(in));
        }
    }
    f.Done();
    if (!error.empty()) return Fail(Code::kInvalidArgument, c.file + ": " + error);
    return c;
}

Result<Contract> LoadContract(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Fail(Code::kNotFound, path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    std::string name = path;
    std::string root = e2e::SourceDir() + "/";
    if (name.starts_with(root)) name = name.substr(root.size());
    return ParseContract(text.str(), name);
}

std::vector<std::string> FindContracts(const std::string& source_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& system : fs::directory_iterator(fs::path(source_dir) / "systems", ec)) {
        std::error_code inner;
        for (const auto& file : fs::directory_iterator(system.path() / "contracts", inner)) {
            if (file.path().extension() == ".json") out.push_back(file.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// ---------------------------------------------------------------------------------------------
// Variables and matching

std::string SubstituteText(std::string_view text, const Vars& vars, std::vector<std::string>* unbound) {
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t open = text.find("${", pos);
        size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos) {
            out += text.substr(pos);
            break;
        }
        out += text.substr(pos, open - pos);
        std::string name(text.substr(open + 2, close - open - 2));
        auto it = vars.find(name);
        if (it == vars.end()) {
            if (unbound) unbound->push_back(name);
            out += text.substr(open, close - open + 1);
        } else {
            out += Text(it->second);
        }
        pos = close + 1;
    }
    return out;
}

bj::value Substitute(const bj::value& value, const Vars& vars, std::vector<std::string>* unbound) {
    if (value.is_string()) {
        std::string name;
        if (IsWholeVariable(value.as_string(), &name)) {
            auto it = vars.find(name);
            if (it != vars.end()) return it->second;
            if (unbound) unbound->push_back(name);
            return value;
        }
        return bj::string(SubstituteText(value.as_string(), vars, unbound));
    }
    if (value.is_object()) {
        bj::object out;
        for (const auto& [k, v] : value.as_object()) out[k] = Substitute(v, vars, unbound);
        return out;
    }
    if (value.is_array()) {
        bj::array out;
        for (const auto& v : value.as_array()) out.push_back(Substitute(v, vars, unbound));
        return out;
    }
    return value;
}

std::vector<std::string> MatchValue(std::string_view where_view, const Matcher& m, const bj::value* actual,
                                    const Vars& vars) {
    std::string where(where_view);
    if (m.absent) {
        if (actual) return {where + ": expected absent, got " + Show(actual)};
        return {};
    }
    if (!actual) {
        return {where + ": missing" + (m.type ? " (expected " + *m.type + ")" : std::string())};
    }
    std::vector<std::string> out;
    if (m.type && !HasType(*actual, *m.type)) {
        out.push_back(where + ": expected " + *m.type + ", got " + TypeOf(*actual) + " " + Show(actual));
    }
    if (m.equals) {
        std::vector<std::string> unbound;
        bj::value want = Coerce(Substitute(*m.equals, vars, &unbound), m.type);
        if (!unbound.empty()) {
            out.push_back(where + ": the contract's ${" + unbound.front() + "} is not bound by any provider state");
        } else if (!JsonEquals(want, *actual)) {
            out.push_back(where + ": expected " + Show(&want) + ", got " + Show(actual));
        }
    }
    if (m.regex) {
        if (!actual->is_string() && !actual->is_number()) {
            out.push_back(where + ": expected text matching /" + *m.regex + "/, got " + Show(actual));
        } else if (!std::regex_match(Text(*actual), std::regex(*m.regex))) {
            out.push_back(where + ": " + Show(actual) + " does not match /" + *m.regex + "/");
        }
    }
    return out;
}

std::vector<std::string> MatchResponse(const ResponseSpec& spec, const e2e::Reply& reply, const Vars& vars) {
    std::vector<std::string> out;
    if (reply.status == 0) return {"no answer: " + reply.error};
    if (spec.status && reply.status != *spec.status) {
        // Another kind of answer: its headers and body would only repeat that.
        return {"status: expected " + std::to_string(*spec.status) + ", got " + std::to_string(reply.status)};
    }
    for (const auto& [name, matcher] : spec.headers) {
        auto h = reply.headers.Find(name);
        bj::value got = h ? bj::value(bj::string(*h)) : bj::value();
        for (auto& m : MatchValue("header " + name, matcher, h ? &got : nullptr, vars)) out.push_back(std::move(m));
    }
    if (spec.body.empty()) return out;
    boost::system::error_code ec;
    bj::value body = bj::parse(reply.body, ec);
    if (ec) {
        out.push_back("body: not JSON");
        return out;
    }
    for (const auto& [path, matcher] : spec.body) {
        for (auto& m : MatchValue("body " + path, matcher, At(body, path), vars)) out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::string> MatchRequest(const RequestSpec& spec, const http::Request& req, Vars& vars) {
    std::vector<std::string> out;
    if (req.method != spec.method) out.push_back("method: expected " + spec.method + ", got " + req.method);
    // The path segment by segment: a segment that is one variable binds or compares it.
    auto split = [](std::string_view p) {
        std::vector<std::string> parts;
        for (size_t pos = 0; pos <= p.size();) {
            size_t slash = p.find('/', pos);
            if (slash == std::string_view::npos) slash = p.size();
            parts.emplace_back(p.substr(pos, slash - pos));
            pos = slash + 1;
        }
        return parts;
    };
    std::vector<std::string> want = split(spec.path), got = split(req.path);
    bool path_ok = want.size() == got.size();
    for (size_t i = 0; path_ok && i < want.size(); ++i) {
        std::string name;
        if (IsWholeVariable(want[i], &name) && !vars.contains(name)) {
            vars[name] = bj::string(got[i]);
        } else if (SubstituteText(want[i], vars) != got[i]) {
            path_ok = false;
        }
    }
    if (!path_ok) out.push_back("path: expected " + spec.path + ", got " + req.path);
    for (const auto& [name, matcher] : spec.query) {
        std::optional<std::string> value = req.Query(name);
        for (auto& m : MatchText("query " + name, matcher, value, vars)) out.push_back(std::move(m));
    }
    for (const auto& [name, value] : req.query) {
        bool known = std::any_of(spec.query.begin(), spec.query.end(), [&](const auto& q) { return q.first == name; });
        if (!known) out.push_back("query " + name + ": not in the contract");
    }
    for (const auto& [name, matcher] : spec.headers) {
        auto h = req.headers.Find(name);
        std::optional<std::string> value = h ? std::optional<std::string>(std::string(*h)) : std::nullopt;
        for (auto& m : MatchText("header " + name, matcher, value, vars)) out.push_back(std::move(m));
    }
    if (spec.body) {
        boost::system::error_code ec;
        bj::value body = bj::parse(req.body, ec);
        if (ec) {
            out.push_back("body: not JSON");
        } else {
            MatchBody("body", *spec.body, body, vars, out);
        }
    }
    return out;
}

http::Request BuildRequest(const RequestSpec& spec, const Vars& vars) {
    http::Request req;
    req.method = spec.method;
    req.target = SubstituteText(spec.path, vars);
    char sep = '?';
    for (const auto& [name, matcher] : spec.query) {
        if (matcher.absent) continue;
        std::optional<bj::value> v = ExampleOf(matcher, vars);
        req.target += sep + PercentEncode(name) + "=" + PercentEncode(v ? Text(*v) : std::string());
        sep = '&';
    }
    for (const auto& [name, matcher] : spec.headers) {
        if (matcher.absent) continue;
        std::optional<bj::value> v = ExampleOf(matcher, vars);
        req.headers.Set(name, v ? Text(*v) : std::string());
    }
    if (spec.body) {
        req.headers.Set("Content-Type", "application/json");
        req.body = bj::serialize(Substitute(*spec.body, vars));
    }
    return req;
}

Result<http::Response> ExampleResponse(const ResponseSpec& spec, const Vars& vars) {
    http::Response res;
    res.status = spec.status.value_or(200);
    for (const auto& [name, matcher] : spec.headers) {
        if (matcher.absent) continue;
        std::optional<bj::value> v = ExampleOf(matcher, vars);
        if (!v) return Fail(Code::kInvalidArgument, "header " + name + ": no equals or example to answer with");
        res.headers.Set(name, Text(*v));
    }
    if (!spec.body.empty()) {
        bj::object body;
        for (const auto& [path, matcher] : spec.body) {
            if (matcher.absent) continue;
            std::optional<bj::value> v = ExampleOf(matcher, vars);
            if (!v) return Fail(Code::kInvalidArgument, "body " + path + ": no equals or example to answer with");
            Put(body, path, std::move(*v));
        }
        res.body = bj::serialize(body);
        if (!res.headers.Find("Content-Type")) res.headers.Set("Content-Type", "application/json");
    }
    return res;
}

// ---------------------------------------------------------------------------------------------
// Verifying a provider

std::vector<std::string> VerifyProvider(const Contract& contract, int port) {
    std::vector<std::string> failures;
    e2e::Http http;
    for (const Interaction& interaction : contract.interactions) {
        std::string where = contract.Where(interaction);
        Vars vars;
        bool ready = true;
        for (const Step& state : interaction.given) {
            auto m = RunStep(http, port, state, vars, "provider state \"" + state.description + "\"");
            for (auto& s : m) failures.push_back(where + ": " + s);
            ready = ready && m.empty();
        }
        if (!ready) continue;  // the interaction itself would only repeat the failure
        if (auto unbound = Unbound(interaction.request, vars); !unbound.empty()) {
            for (auto& u : unbound) failures.push_back(where + ": request: " + u);
            continue;
        }
        http::Request req = BuildRequest(interaction.request, vars);
        std::string sent = Describe(req);
        e2e::Reply reply = http.Call(port, std::move(req));
        auto mismatches = MatchResponse(interaction.response, reply, vars);
        for (auto& m : mismatches) failures.push_back(where + ": " + sent + " → " + m + "; got " + Describe(reply));
        if (!mismatches.empty()) continue;
        for (const Step& check : interaction.then) {
            for (auto& s : RunStep(http, port, check, vars, "then \"" + check.description + "\"")) {
                failures.push_back(where + ": " + s);
            }
        }
    }
    return failures;
}

std::vector<std::string> VerifyRealProvider(const Contract& contract) {
    std::string error;
    auto provider = e2e::ServedService::Start({.target = contract.provider}, &error);
    if (!provider) return {contract.file + ": the provider " + contract.provider + " did not start: " + error};
    return VerifyProvider(contract, provider->port());
}

// ---------------------------------------------------------------------------------------------
// StubProvider

struct StubProvider::Impl {
    boost::asio::io_context io{1};
    std::unique_ptr<http::Server> server;
    std::thread thread;
    mutable std::mutex mutex;
    std::optional<Interaction> armed;
    std::vector<Seen> seen;
    Vars vars;

    http::Response Answer(const http::Request& req) {
        std::lock_guard lock(mutex);
        Seen s{.request = Describe(req)};
        http::Response res;
        Vars bound;
        if (!armed) {
            s.mismatches.push_back("no interaction armed");
        } else {
            s.mismatches = MatchRequest(armed->request, req, bound);
        }
        if (s.mismatches.empty()) {
            auto example = ExampleResponse(armed->response, bound);
            if (example) {
                res = std::move(*example);
                vars = std::move(bound);
            } else {
                s.mismatches.push_back(example.error().message);
            }
        }
        if (!s.mismatches.empty()) {
            std::string detail;
            for (const auto& m : s.mismatches) detail += (detail.empty() ? "" : "; ") + m;
            res = http::JsonResponse(
                500,
                bj::object{{"title", "contract stub: no interaction matches"}, {"status", 500}, {"detail", detail}});
            res.headers.Set("Content-Type", "application/problem+json");
        }
        s.answered = res.status;
        seen.push_back(std::move(s));
        return res;
    }
};

StubProvider::StubProvider() : impl_(std::make_unique<Impl>()) {
    Impl* impl = impl_.get();
    impl->server = std::make_unique<http::Server>(
        impl->io, [impl](http::Request& req) -> http::Awaitable<http::Response> { co_return impl->Answer(req); });
    if (impl->server->Listen(0, /*reuse_port=*/false)) port_ = impl->server->port();  // any free port
    impl->thread = std::thread([impl] {
        auto guard = boost::asio::make_work_guard(impl->io);
        impl->io.run();
    });
}

StubProvider::~StubProvider() {
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
    impl_->server.reset();
}

void StubProvider::Arm(const Interaction& interaction) {
    std::lock_guard lock(impl_->mutex);
    impl_->armed = interaction;
    impl_->seen.clear();
    impl_->vars.clear();
}

std::vector<StubProvider::Seen> StubProvider::seen() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

Vars StubProvider::vars() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->vars;
}

}  // namespace reservo::contract
