// Declared events (kit/messaging/event_declaration.hpp) as CloudEvents, and back:
//
//   CloudEvent ce = messaging::Encode(VaccineReserved{...}, "/vaccine/reservation");
//   Result<VaccineReserved> e = messaging::Decode<VaccineReserved>(ce);   // InvalidArgument when
//                                                                         // the data does not fit
// A consumer parks an event whose data does not decode (InvalidArgument is permanent) with the
// reason as its error; it never crashes and never blocks the events behind it.
#pragma once

#include <string>

#include "kit/json/json.hpp"
#include "kit/messaging/cloud_event.hpp"
#include "kit/messaging/event_declaration.hpp"

namespace reservo::messaging {

template <DeclaredEvent E>
CloudEvent Encode(const E& event, std::string source) {
    return CloudEvent::New(std::move(source), std::string(TypeOf<E>()), KeyOf(event), json::ToObject(event));
}

template <DeclaredEvent E>
Result<E> Decode(const CloudEvent& event) {
    if (event.type != TypeOf<E>()) {
        return Fail(Code::kInvalidArgument, "expected a " + std::string(TypeOf<E>()) + " event, got " + event.type);
    }
    auto decoded = json::FromObject<E>(event.data);
    if (!decoded) {
        return Fail(Code::kInvalidArgument,
                    event.type + " " + event.id + " has data that does not decode: " + decoded.error().message);
    }
    return decoded;
}

}  // namespace reservo::messaging
