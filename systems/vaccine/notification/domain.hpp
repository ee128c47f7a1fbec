// Notification domain: the message a user receives for each event. Pure rules, no I/O.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

namespace reservo::vaccine::notice {

struct Message {
    std::optional<int64_t> userId;  // empty: a notice to every user
    std::string text;
};

// The message for an event of `type` with `data`; nullopt for types that notify no one.
std::optional<Message> Compose(std::string_view type, const boost::json::object& data);

}  // namespace reservo::vaccine::notice
