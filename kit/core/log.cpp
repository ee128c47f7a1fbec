#include "kit/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace reservo::log {
namespace {

std::string g_service = "reservo";

void AppendEscaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
}

void Emit(spdlog::level::level_enum level, std::string_view message, std::initializer_list<Field> fields) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    std::string line = "\"service\":\"";
    AppendEscaped(line, g_service);
    line += "\",\"msg\":\"";
    AppendEscaped(line, message);
    line += '"';
    for (const auto& [k, v] : fields) {
        line += ",\"";
        AppendEscaped(line, k);
        line += "\":\"";
        AppendEscaped(line, v);
        line += '"';
    }
    logger->log(level, line);
}

}  // namespace

void Init(std::string_view service, std::string_view level) {
    g_service = std::string(service);
    auto logger = spdlog::stderr_logger_mt("reservo-" + g_service + "-" + std::to_string(::getpid()));
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","pid":%P,%v})", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(std::string(level)));
    spdlog::set_default_logger(logger);
}

void Debug(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::debug, m, f); }
void Info(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::info, m, f); }
void Warn(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::warn, m, f); }
void Error(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::err, m, f); }

}  // namespace reservo::log
