// Structured logging: one JSON object per line on stderr (what container log collectors read).
//
//   log::Info("reservation stored", {{"reservationId", id}, {"qty", 3}, {"durationMs", 1.7}, {"replayed", false}});
//
//   {"ts":"2026-01-31T12:00:00.123Z","level":"info","pid":4242,"service":"vaccine/reservation",
//    "msg":"reservation stored","reservationId":42,"qty":3,"durationMs":1.7,"replayed":false,
//    "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}
//
// Fields keep their type: integers and doubles are JSON numbers (a double that is not finite is
// null), booleans JSON booleans, text an escaped JSON string (bytes that are not UTF-8 as U+FFFD),
// a list of integers a JSON array. While trace::Current() holds a traceparent — a request or an
// event is being handled — every line ends with its trace_id and span_id; otherwise it has neither.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace reservo::log {

// One key and its typed value. It refers to the text it was given: build it in the logging call.
class Field final {
  public:
    using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool, std::span<const int>>;

    Field(std::string_view key, std::string_view text) : key_(key), value_(text) {}
    Field(std::string_view key, const std::string& text) : key_(key), value_(std::string_view(text)) {}
    Field(std::string_view key, const char* text) : key_(key), value_(std::string_view(text ? text : "")) {}
    template <std::signed_integral T>
    requires(!std::same_as<T, char>) Field(std::string_view key, T number)
        : key_(key), value_(static_cast<int64_t>(number)) {}
    template <std::unsigned_integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>) Field(std::string_view key, T number)
        : key_(key), value_(static_cast<uint64_t>(number)) {}
    Field(std::string_view key, double number) : key_(key), value_(number) {}
    Field(std::string_view key, bool flag) : key_(key), value_(flag) {}
    Field(std::string_view key, const std::vector<int>& numbers) : key_(key), value_(std::span<const int>(numbers)) {}

    std::string_view key() const { return key_; }
    const Value& value() const { return value_; }

  private:
    std::string_view key_;
    Value value_;
};

// Names this process's lines ("vaccine/reservation") and sets the least level written. Lines go to
// stderr, or to `out` when given (tests read them there; it must outlive the next Init).
void Init(std::string_view service, std::string_view level = "info", std::ostream* out = nullptr);
void Debug(std::string_view message, std::initializer_list<Field> fields = {});
void Info(std::string_view message, std::initializer_list<Field> fields = {});
void Warn(std::string_view message, std::initializer_list<Field> fields = {});
void Error(std::string_view message, std::initializer_list<Field> fields = {});

enum class Level { kDebug, kInfo, kWarn, kError };
// The same for a level chosen at run time, or fields gathered first.
void Write(Level level, std::string_view message, std::span<const Field> fields);

// Holds lines below warn until Flush(), and calls `schedule` once when the first held line arrives,
// so an event loop writes a turn's lines with one system call (the host posts Flush() to its loop).
// Warnings and errors are written at once, after what was held; an empty `schedule` (the default)
// writes every line as it comes. A held line is lost only if the process dies before the loop's
// turn ends.
void SetFlusher(std::function<void()> schedule);
// Writes what is held.
void Flush();

// A duration in milliseconds with microsecond precision, as lines give durations (`durationMs`).
template <class Rep, class Period>
double DurationMs(std::chrono::duration<Rep, Period> d) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) / 1000.0;
}

}  // namespace reservo::log
