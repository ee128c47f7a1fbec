// Helpers for the messaging tests: a temporary directory per test and a clock tests move by hand.
//
//   TempDir dir;                                  // removed with everything in it at scope exit
//   FakeClock clock;
//   auto log = SqliteEventLog::Open(dir.File("events.db"), 4, {.now_ms = clock.Source()}).value();
//   clock.Advance(3001);
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "kit/core/clock.hpp"
#include "kit/messaging/event_log.hpp"

namespace reservo::messaging::testing {

class TempDir final {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() / ("reservo-messaging-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(counter++) + "-" + RandomHexId(4));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string File(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// A clock that moves only when told to; it must outlive every Source() handed out.
class FakeClock final {
  public:
    int64_t Now() const { return now_; }
    void Advance(int64_t ms) { now_ += ms; }
    MillisSource Source() {
        return [this] { return now_; };
    }

  private:
    int64_t now_ = 1'700'000'000'000;
};

}  // namespace reservo::messaging::testing
