#include "edge/gateway/console_views.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "kit/core/trace.hpp"
#include "kit/service/topology.hpp"

namespace reservo::edge::console {
namespace {

namespace bj = boost::json;

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bj::array Strings(const std::vector<std::string>& items) {
    bj::array out;
    for (const auto& item : items) out.emplace_back(item);
    return out;
}

// The token endpoint edge/oauth serves, and what a browser needs to ask it: a client allowed the
// password grant. Its secret is shown only as the YAML ships it (the demo account that README
// quotes); one set by the environment is a real secret and stays out: the console asks for it.
bj::value AuthPicture(const Config& cfg) {
    if (!cfg.Find("gateway.auth.issuer")) return false;
    bj::object auth{{"tokenUrl", "/oauth/token"}};
    const std::string clients = "services." + cfg.GetString("gateway.auth.token-service") + ".clients";
    for (const std::string& id : cfg.Children(clients)) {
        const std::string key = clients + "." + id;
        const auto grants = cfg.GetList(key + ".grants");
        if (std::find(grants.begin(), grants.end(), "password") == grants.end()) continue;
        auth["grantType"] = "password";
        auth["clientId"] = id;
        if (!cfg.EnvOverride(key + ".secret")) {
            if (auto secret = cfg.Find(key + ".secret")) auth["clientSecret"] = *secret;
        }
        auth["scopes"] = Strings(cfg.GetList(key + ".scopes"));
        break;
    }
    return auth;
}

std::optional<std::string> Label(const Sample& sample, std::string_view name) {
    for (const auto& [k, v] : sample.labels) {
        if (k == name) return v;
    }
    return std::nullopt;
}

std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string_view ContentTypeOf(std::string_view path) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    for (const auto& [extension, type] : kTypes) {
        if (path.ends_with(extension)) return type;
    }
    return "application/octet-stream";
}

bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
    auto opaque = [](std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; };
    while (!header.empty()) {
        const size_t comma = header.find(',');
        std::string_view tag = Trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) return true;
    }
    return false;
}

bj::object SystemPicture(const Config& cfg) {
    bj::array services;
    for (const std::string& name : cfg.Children("services")) {
        const std::string key = "services." + name;
        const service::EventFlows flows = service::EventFlowsOf(cfg, name).value_or(service::EventFlows{});
        services.push_back(bj::object{{"name", name},
                                      {"routes", Strings(cfg.GetList(key + ".routes"))},
                                      {"internal", Strings(cfg.GetList(key + ".internal"))},
                                      {"calls", Strings(cfg.Children(key + ".dependencies"))},
                                      {"publishes", Strings(flows.publishes)},
                                      {"consumes", Strings(flows.consumes)}});
    }
    return {{"system", cfg.GetString("system")}, {"auth", AuthPicture(cfg)}, {"services", std::move(services)}};
}

std::vector<Sample> ParsePrometheus(std::string_view text) {
    std::vector<Sample> out;
    while (!text.empty()) {
        const size_t newline = text.find('\n');
        std::string_view line = Trim(text.substr(0, newline));
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (line.empty() || line.front() == '#') continue;
        Sample sample;
        size_t at = line.find_first_of("{ ");
        if (at == std::string_view::npos) continue;
        sample.name = std::string(line.substr(0, at));
        bool good = true;
        if (line[at] == '{') {  // name="value", ... with \" \\ \n escapes in values
            ++at;
            while (good && at < line.size() && line[at] != '}') {
                const size_t eq = line.find('=', at);
                if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
                    good = false;
                    break;
                }
                std::string name(Trim(line.substr(at, eq - at)));
                std::string value;
                size_t i = eq + 2;
                for (; i < line.size() && line[i] != '"'; ++i) {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        ++i;
                        value.push_back(line[i] == 'n' ? '\n' : line[i]);
                    } else {
                        value.push_back(line[i]);
                    }
                }
                if (i >= line.size()) {
                    good = false;
                    break;
                }
                sample.labels.emplace_back(std::move(name), std::move(value));
                at = i + 1;
                if (at < line.size() && line[at] == ',') ++at;
            }
            if (!good || at >= line.size()) continue;
            ++at;  // '}'
        }
        std::string value(Trim(line.substr(at)));
        value = value.substr(0, value.find(' '));  // a timestamp may follow
        char* end = nullptr;
        sample.value = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size()) continue;
        out.push_back(std::move(sample));
    }
    return out;
}

std::optional<double> SumOf(const std::vector<Sample>& samples, std::string_view name) {
    std::optional<double> sum;
    for (const auto& s : samples) {
        if (s.name == name) sum = sum.value_or(0) + s.value;
    }
    return sum;
}

bj::array CircuitsFrom(const std::vector<Sample>& samples) {
    std::vector<std::pair<std::string, std::string>> states;
    for (const auto& s : samples) {
        if (s.name != "resilience4j_circuitbreaker_state" || s.value != 1) continue;
        auto name = Label(s, "name");
        auto state = Label(s, "state");
        if (name && state) states.emplace_back(*name, Upper(*state));
    }
    std::sort(states.begin(), states.end());
    bj::array out;
    for (auto& [name, state] : states) out.push_back(bj::object{{"name", name}, {"state", state}});
    return out;
}

bj::array CircuitsFromHealth(const bj::object& health) {
    bj::array out;
    const bj::value* components = health.if_contains("components");
    const bj::value* breakers =
        components && components->is_object() ? components->get_object().if_contains("circuitBreakers") : nullptr;
    const bj::value* details =
        breakers && breakers->is_object() ? breakers->get_object().if_contains("details") : nullptr;
    if (!details || !details->is_object()) return out;
    for (const auto& [name, breaker] : details->get_object()) {
        const bj::value* inner = breaker.is_object() ? breaker.get_object().if_contains("details") : nullptr;
        const bj::value* state = inner && inner->is_object() ? inner->get_object().if_contains("state") : nullptr;
        if (state && state->is_string()) out.push_back(bj::object{{"name", name}, {"state", state->get_string()}});
    }
    return out;
}

bj::object ServiceStatus(const std::string& name, const ServiceAnswers& answers) {
    bj::object out{{"name", name}};
    if (!answers.health_status) {
        out["health"] = "UNREACHABLE";
        out["readiness"] = "UNREACHABLE";
        out["circuits"] = bj::array();
        out["consumerLag"] = nullptr;
        out["outboxBacklog"] = nullptr;
        out["deadLetters"] = nullptr;
        out["error"] = answers.health_error;
        return out;
    }
    boost::system::error_code ec;
    bj::value parsed = bj::parse(answers.health_body, ec);
    const bj::object* health = !ec && parsed.is_object() ? &parsed.get_object() : nullptr;
    const bj::value* status = health ? health->if_contains("status") : nullptr;
    if (status && status->is_string()) {
        out["health"] = status->get_string();
    } else {
        out["health"] = "DOWN";
        out["error"] = "/actuator/health answered " + std::to_string(*answers.health_status) + " without a status";
    }
    // The readiness probe's own state (the overall status also counts components that are DOWN).
    bj::value readiness = out["health"];
    if (health) {
        if (const bj::value* components = health->if_contains("components"); components && components->is_object()) {
            const bj::value* probe = components->get_object().if_contains("readinessState");
            const bj::value* state = probe && probe->is_object() ? probe->get_object().if_contains("status") : nullptr;
            if (state && state->is_string()) readiness = state->get_string();
        }
    }
    out["readiness"] = std::move(readiness);
    std::vector<Sample> samples;
    if (answers.prometheus) samples = ParsePrometheus(*answers.prometheus);
    bj::array circuits = CircuitsFrom(samples);
    if (circuits.empty() && health) circuits = CircuitsFromHealth(*health);
    out["circuits"] = std::move(circuits);
    auto figure = [&](std::string_view metric) -> bj::value {
        if (!answers.prometheus) return nullptr;
        return static_cast<int64_t>(SumOf(samples, metric).value_or(0));  // no series: nothing to count
    };
    out["consumerLag"] = figure("reservo_consumer_lag");
    out["outboxBacklog"] = figure("reservo_outbox_backlog");
    out["deadLetters"] = figure("reservo_dead_letters");
    return out;
}

bj::object DeadLetterEntry(const std::string& service, const bj::object& listed) {
    bj::object out{{"service", service}, {"group", service}};
    for (const auto& [key, value] : listed) out[key] = value;
    return out;
}

bj::object EventEntry(const messaging::Record& record) {
    const messaging::CloudEvent& e = record.event;
    const bool traced = trace::IsValid(e.traceparent);
    return {{"id", e.id},
            {"source", e.source},
            {"type", e.type},
            {"subject", e.subject},
            {"time", e.time},
            {"traceparent", e.traceparent},
            {"traceId", traced ? e.traceparent.substr(3, 32) : std::string()},
            {"partition", record.partition},
            {"offset", record.offset},
            {"data", e.data}};
}

}  // namespace reservo::edge::console
