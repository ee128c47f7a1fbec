// What this binary was built from, for /actuator/info: written by cmake/BuildInfo.cmake at build
// time.
//
//   log::Info("starting", {{"version", build::Version()}, {"commit", build::Commit()}});
#pragma once

#include <string_view>

namespace reservo::build {

std::string_view Version();  // the project's version, as `reservo --version` prints it ("0.1.0")
std::string_view Commit();   // the git commit built, or "unknown" outside a git checkout
std::string_view Time();     // UTC, ISO-8601: when a build first saw this commit

}  // namespace reservo::build
