// CloudEvents 1.0: the envelope of every Reservo event, in the structured JSON mode.
//
// `subject` is the correlation key (the aggregate id the flow is about); the event log
// partitions by it, so the events of one aggregate keep their order:
//
//   auto event = messaging::CloudEvent::New("/vaccine/reservation", "VaccineReserved", reservation_id,
//                                           {{"reservationId", reservation_id}, {"vaccineType", "flu"}});
//   std::string wire = event.ToJson();
//   Result<CloudEvent> back = CloudEvent::FromJson(wire);  // InvalidArgument when malformed
#pragma once

#include <string>
#include <string_view>

#include "kit/core/error.hpp"
#include "kit/json/json.hpp"

namespace reservo::messaging {

namespace bj = boost::json;

struct CloudEvent {
    std::string id;           // unique per event; consumers dedupe by it
    std::string source;       // "/<system>/<service>"
    std::string type;         // past-tense event name, e.g. "VaccineReserved"
    std::string subject;      // correlation key = aggregate id; partition key
    std::string time;         // ISO-8601 UTC
    std::string traceparent;  // W3C trace context extension; may be empty
    bj::object data;

    // A fresh event with a random id and the current time.
    static CloudEvent New(std::string source, std::string type, std::string subject, bj::object data,
                          std::string traceparent = {});

    // Structured-mode JSON (specversion "1.0", datacontenttype "application/json").
    std::string ToJson() const;
    bj::object ToObject() const;

    // Parses structured-mode JSON; InvalidArgument when malformed or a required attribute is missing.
    static Result<CloudEvent> FromJson(std::string_view text);
    static Result<CloudEvent> FromObject(const bj::object& object);

    friend bool operator==(const CloudEvent&, const CloudEvent&) = default;
};

}  // namespace reservo::messaging
