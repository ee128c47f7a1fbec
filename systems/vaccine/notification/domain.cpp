#include "systems/vaccine/notification/domain.hpp"

#include <boost/json.hpp>

namespace reservo::vaccine::notice {
namespace {

std::string Str(const boost::json::object& d, std::string_view key) {
    const auto* v = d.if_contains(key);
    if (!v) return "";
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    return boost::json::serialize(*v);
}

std::optional<int64_t> User(const boost::json::object& d) {
    const auto* v = d.if_contains("userId");
    if (v && v->is_int64()) return v->as_int64();
    return std::nullopt;
}

}  // namespace

std::optional<Message> Compose(std::string_view type, const boost::json::object& d) {
    if (type == "VaccineRegistered") {
        return Message{std::nullopt, Str(d, "vaccineType") + " vaccine: " + Str(d, "qty") +
                                         " doses can now be booked at " + Str(d, "hospital") + " on " +
                                         Str(d, "availableDate") + "."};
    }
    if (type == "VaccineReserved") {
        return Message{User(d), "Reservation " + Str(d, "id") + " confirmed: " + Str(d, "vaccineType") + " at " +
                                    Str(d, "hospital") + " on " + Str(d, "reservedDate") + "."};
    }
    if (type == "ReservationCancelled") {
        return Message{User(d), "Reservation " + Str(d, "id") + " (" + Str(d, "vaccineType") + " at " +
                                    Str(d, "hospital") + " on " + Str(d, "reservedDate") + ") was cancelled."};
    }
    return std::nullopt;
}

}  // namespace reservo::vaccine::notice
