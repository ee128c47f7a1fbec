// Structured logging: one JSON object per line on stderr (what container log collectors read).
//
//   log::Info("reservation stored", {{"reservationId", "42"}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace reservo::log {

using Field = std::pair<std::string_view, std::string>;

void Init(std::string_view service, std::string_view level = "info");
void Debug(std::string_view message, std::initializer_list<Field> fields = {});
void Info(std::string_view message, std::initializer_list<Field> fields = {});
void Warn(std::string_view message, std::initializer_list<Field> fields = {});
void Error(std::string_view message, std::initializer_list<Field> fields = {});

}  // namespace reservo::log
