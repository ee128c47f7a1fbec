#include "kit/messaging/cloud_event.hpp"

#include <utility>

#include "kit/core/clock.hpp"

namespace reservo::messaging {
namespace {

constexpr std::string_view kSpecVersion = "1.0";
constexpr std::string_view kContentType = "application/json";

// A string attribute: absent or null → empty; another type → InvalidArgument.
Result<std::string> Attribute(const bj::object& object, std::string_view name, bool required) {
    const bj::value* v = object.if_contains(name);
    if (!v || v->is_null()) {
        if (required) return Fail(Code::kInvalidArgument, std::string(name) + ": is required");
        return std::string();
    }
    if (!v->is_string()) return Fail(Code::kInvalidArgument, std::string(name) + ": expected a string");
    std::string out(v->get_string());
    if (required && out.empty()) return Fail(Code::kInvalidArgument, std::string(name) + ": must not be empty");
    return out;
}

}  // namespace

CloudEvent CloudEvent::New(std::string source, std::string type, std::string subject, bj::object data,
                           std::string traceparent) {
    return CloudEvent{
        .id = RandomHexId(),
        .source = std::move(source),
        .type = std::move(type),
        .subject = std::move(subject),
        .time = NowIso8601(),
        .traceparent = std::move(traceparent),
        .data = std::move(data),
    };
}

bj::object CloudEvent::ToObject() const {
    bj::object out;
    out.reserve(10);
    out["specversion"] = kSpecVersion;
    out["id"] = id;
    out["source"] = source;
    out["type"] = type;
    if (!subject.empty()) out["subject"] = subject;
    if (!time.empty()) out["time"] = time;
    out["datacontenttype"] = kContentType;
    if (!traceparent.empty()) out["traceparent"] = traceparent;
    out["data"] = data;
    return out;
}

std::string CloudEvent::ToJson() const { return json::Serialize(ToObject()); }

Result<CloudEvent> CloudEvent::FromObject(const bj::object& object) {
    auto spec = Attribute(object, "specversion", true);
    if (!spec) return Fail(spec.error());
    if (*spec != kSpecVersion) return Fail(Code::kInvalidArgument, "specversion: unsupported " + *spec);
    CloudEvent event;
    struct Field {
        std::string_view name;
        std::string* out;
        bool required;
    };
    for (const auto& [name, out, required] :
         {Field{"id", &event.id, true}, Field{"source", &event.source, true}, Field{"type", &event.type, true},
          Field{"subject", &event.subject, false}, Field{"time", &event.time, false},
          Field{"traceparent", &event.traceparent, false}}) {
        auto value = Attribute(object, name, required);
        if (!value) return Fail(value.error());
        *out = std::move(*value);
    }
    if (auto ct = Attribute(object, "datacontenttype", false); !ct) {
        return Fail(ct.error());
    } else if (!ct->empty() && !ct->starts_with(kContentType)) {
        return Fail(Code::kInvalidArgument, "datacontenttype: only application/json is supported");
    }
    if (const bj::value* data = object.if_contains("data"); data && !data->is_null()) {
        if (!data->is_object()) return Fail(Code::kInvalidArgument, "data: expected an object");
        event.data = data->get_object();
    }
    return event;
}

Result<CloudEvent> CloudEvent::FromJson(std::string_view text) {
    auto object = json::ParseObject(text);
    if (!object) return Fail(object.error());
    return FromObject(*object);
}

}  // namespace reservo::messaging
