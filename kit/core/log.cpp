#include "kit/core/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <iterator>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>

#include "kit/core/trace.hpp"

namespace reservo::log {
namespace {

std::string g_service = "reservo";

// stderr (or a test's stream), written once per batch of lines: see SetFlusher.
class BatchingSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit BatchingSink(std::ostream* out) : out_(out) {}
    ~BatchingSink() override { Write(); }

    void SetFlusher(std::function<void()> schedule) {
        std::lock_guard lock(mutex_);
        flusher_ = std::move(schedule);
        Write();
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const bool first = held_.empty();
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        held_.append(formatted.data(), formatted.size());
        if (!flusher_ || msg.level >= spdlog::level::warn || held_.size() >= kMaxHeld) {
            Write();
        } else if (first) {
            flusher_();
        }
    }
    void flush_() override { Write(); }

  private:
    static constexpr size_t kMaxHeld = 64 * 1024;

    void Write() {
        if (held_.empty()) return;
        if (out_) {
            out_->write(held_.data(), static_cast<std::streamsize>(held_.size()));
            out_->flush();
        } else {
            for (size_t at = 0; at < held_.size();) {
                const ssize_t n = ::write(STDERR_FILENO, held_.data() + at, held_.size() - at);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;  // nowhere to write: the lines are dropped, not retried forever
                at += static_cast<size_t>(n);
            }
        }
        held_.clear();
    }

    std::ostream* out_;
    std::string held_;
    std::function<void()> flusher_;  // SetFlusher
};

std::shared_ptr<BatchingSink> g_sink;

// The length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceAt(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    size_t n = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        n = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        n = 3;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        n = 4;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
    }
    const unsigned char second = byte(i + 1);
    if ((lead == 0xe0 && second < 0xa0) || (lead == 0xed && second > 0x9f) || (lead == 0xf0 && second < 0x90) ||
        (lead == 0xf4 && second > 0x8f)) {
        return 0;
    }
    return n;
}

// `s` as the inside of a JSON string. Text from clients (paths, header values) may hold anything.
void AppendEscaped(std::string& out, std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            const size_t n = Utf8SequenceAt(s, i);
            if (n == 0) {
                out.append("\\ufffd");
            } else {
                out.append(s.substr(i, n));
                i += n - 1;
            }
            continue;
        }
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (u < 0x20) {
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
                } else {
                    out.push_back(c);
                }
        }
    }
}

void AppendString(std::string& out, std::string_view s) {
    out.push_back('"');
    AppendEscaped(out, s);
    out.push_back('"');
}

void AppendValue(std::string& out, const Field::Value& value) {
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string_view>) {
                AppendString(out, v);
            } else if constexpr (std::is_same_v<T, bool>) {
                out.append(v ? "true" : "false");
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isfinite(v)) {
                    fmt::format_to(std::back_inserter(out), "{}", v);  // the shortest text that reads back as v
                } else {
                    out.append("null");
                }
            } else if constexpr (std::is_same_v<T, std::span<const int>>) {
                out.push_back('[');
                for (size_t i = 0; i < v.size(); ++i) {
                    if (i > 0) out.push_back(',');
                    fmt::format_to(std::back_inserter(out), "{}", v[i]);
                }
                out.push_back(']');
            } else {
                fmt::format_to(std::back_inserter(out), "{}", v);
            }
        },
        value);
}

void AppendKey(std::string& out, std::string_view key) {
    out.push_back(',');
    AppendString(out, key);
    out.push_back(':');
}

void Emit(spdlog::level::level_enum level, std::string_view message, std::span<const Field> fields) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    std::string line;
    line.reserve(160);
    line.append("\"service\":");
    AppendString(line, g_service);
    AppendKey(line, "msg");
    AppendString(line, message);
    for (const Field& field : fields) {
        AppendKey(line, field.key());
        AppendValue(line, field.value());
    }
    // `00-<trace id>-<span id>-<flags>`: the work this line is about, as the W3C trace context names it.
    if (const std::string& traceparent = trace::Current(); trace::IsValid(traceparent)) {
        AppendKey(line, "trace_id");
        AppendString(line, std::string_view(traceparent).substr(3, 32));
        AppendKey(line, "span_id");
        AppendString(line, std::string_view(traceparent).substr(36, 16));
    }
    logger->log(level, line);
}

}  // namespace

void Init(std::string_view service, std::string_view level, std::ostream* out) {
    g_service = std::string(service);
    std::string name = "reservo-" + g_service + "-" + std::to_string(::getpid());
    if (g_sink) g_sink->flush();
    g_sink = std::make_shared<BatchingSink>(out);
    auto logger = std::make_shared<spdlog::logger>(std::move(name), g_sink);
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","pid":%P,%v})", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(std::string(level)));
    spdlog::set_default_logger(std::move(logger));
}

void SetFlusher(std::function<void()> schedule) {
    if (g_sink) g_sink->SetFlusher(std::move(schedule));
}

void Flush() {
    if (g_sink) g_sink->flush();
}

void Debug(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::debug, m, f); }
void Info(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::info, m, f); }
void Warn(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::warn, m, f); }
void Error(std::string_view m, std::initializer_list<Field> f) { Emit(spdlog::level::err, m, f); }

void Write(Level level, std::string_view m, std::span<const Field> f) {
    switch (level) {
        case Level::kDebug:
            return Emit(spdlog::level::debug, m, f);
        case Level::kInfo:
            return Emit(spdlog::level::info, m, f);
        case Level::kWarn:
            return Emit(spdlog::level::warn, m, f);
        case Level::kError:
            return Emit(spdlog::level::err, m, f);
    }
}

}  // namespace reservo::log
