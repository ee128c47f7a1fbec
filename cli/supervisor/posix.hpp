// Small helpers the parts of the supervisor share: file descriptors, errno text, durations.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "kit/core/clock.hpp"

namespace reservo::cli {

// `what: <strerror(errno)>`; call it before anything else can change errno.
inline std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Closes `fd` if open and marks it closed (-1).
inline void CloseFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

inline int64_t ToMillis(SteadyClock::duration d) { return std::chrono::duration_cast<Millis>(d).count(); }

}  // namespace reservo::cli
