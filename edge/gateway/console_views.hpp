// What the web console's endpoints answer, as plain functions of what they read: the system's
// YAML, a service's health and Prometheus text, a record of the event log. No I/O here; the
// console (edge/gateway/console.hpp) fetches and serves, console_test.cpp checks these.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kit/core/config.hpp"
#include "kit/messaging/event_log.hpp"

namespace reservo::edge::console {

// The Content-Type of an asset, by its extension (application/octet-stream when unknown).
std::string_view ContentTypeOf(std::string_view path);
// Whether an If-None-Match header (a list of entity tags, or `*`) matches `etag` (weak comparison,
// RFC 9110 §13.1.2): the client has this version already.
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

// GET /console/api/system: the system's services in YAML order, each with its routes, internal
// endpoints, synchronous calls (`dependencies:`) and event flows (`publishes:`, `consumes:`), and
// how the console gets a token when the gateway wants one (`auth`, false without gateway.auth).
boost::json::object SystemPicture(const Config& cfg);

// One Prometheus text sample: `name{labels} value`.
struct Sample {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;  // unescaped values
    double value = 0;
};
// Every sample of a Prometheus text exposition (comments and malformed lines skipped).
std::vector<Sample> ParsePrometheus(std::string_view text);
// The sum of every sample of the family `name` (any labels); nullopt when there is none.
std::optional<double> SumOf(const std::vector<Sample>& samples, std::string_view name);
// Each circuit breaker's state from resilience4j_circuitbreaker_state (the state whose sample is
// 1), upper-case as Resilience4j names them: [{"name":"payment","state":"OPEN"}], sorted by name.
boost::json::array CircuitsFrom(const std::vector<Sample>& samples);
// The same from /actuator/health's circuitBreakers component (when it shows details).
boost::json::array CircuitsFromHealth(const boost::json::object& health);

// What a service answered to the status probes: nullopt where it did not answer at all.
struct ServiceAnswers {
    std::optional<int> health_status;  // HTTP status of /actuator/health
    std::string health_body;
    std::string health_error;               // why it did not answer
    std::optional<std::string> prometheus;  // /actuator/prometheus when it answered 200
};
// One service's entry of GET /console/api/status: health and readiness (UP, DOWN,
// OUT_OF_SERVICE, UNREACHABLE), circuits, and consumer lag, outbox backlog and dead letters summed
// over their series (null when unknown).
boost::json::object ServiceStatus(const std::string& name, const ServiceAnswers& answers);

// One dead letter of GET /console/api/deadletters: what the service listed, with `service` and
// `group` (a service's consumer group is its name).
boost::json::object DeadLetterEntry(const std::string& service, const boost::json::object& listed);

// One record of GET /events: the CloudEvent's attributes, its trace id, where it is in the log, its data.
boost::json::object EventEntry(const messaging::Record& record);

}  // namespace reservo::edge::console
