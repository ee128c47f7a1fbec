#include "kit/service/access_log.hpp"

#include <variant>
#include <vector>

namespace reservo::service {

void LogAccess(const http::Request& req, const http::Response& res, SteadyClock::duration took,
               std::string_view request_id, std::initializer_list<log::Field> extra) {
    const bool actuator = req.path.starts_with("/actuator") || req.path == "/metrics";
    std::vector<log::Field> fields;
    fields.reserve(9 + extra.size());
    fields.emplace_back("method", std::string_view(req.method).substr(0, 16));
    fields.emplace_back("path", std::string_view(req.path).substr(0, 512));
    if (!req.route.empty() && req.route != "unmatched") fields.emplace_back("route", req.route);
    fields.emplace_back("status", res.status);
    fields.emplace_back("durationMs", log::DurationMs(took));
    fields.emplace_back("bytesOut", res.body.size());
    if (!req.remote_address.empty()) fields.emplace_back("client", req.remote_address);
    if (!request_id.empty()) fields.emplace_back("requestId", request_id.substr(0, 128));
    for (const log::Field& field : extra) {
        const auto* text = std::get_if<std::string_view>(&field.value());
        if (!text || !text->empty()) fields.push_back(field);  // no subject: no "subject":""
    }
    log::Write(actuator ? log::Level::kDebug : log::Level::kInfo, "access", fields);
}

}  // namespace reservo::service
