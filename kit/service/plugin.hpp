// Optional code loaded only where it is configured: a shared module (dlopen) holding what most
// processes never need — and whose libraries they then never map (gRPC: several MB of RSS each).
//
//   auto entry = RESERVO_TRY(service::LoadSymbol("libreservo_hotel_grpc.so", "reservo_hotel_grpc_api"));
//   auto* api = reinterpret_cast<const Api* (*)()>(entry)();
//
// A bare file name is looked for next to the running executable (the directory of
// /proc/self/exe), where the build and the image put the modules; a name with a '/' is used as
// it is. The module is opened with RTLD_NOW | RTLD_LOCAL, once, and stays loaded for the
// process's lifetime (never dlclose'd: the pointers taken from it stay valid). Its interface is
// `extern "C"`; it resolves nothing from the executable.
#pragma once

#include <string>
#include <string_view>

#include "kit/core/error.hpp"

namespace reservo::service {

// Where LoadSymbol looks for `module`: itself when it holds a '/', else the executable's directory.
std::string ModulePath(std::string_view module);

// The address of `symbol` in `module`, loading the module on first use. Fails with
// kFailedPrecondition naming the file and what dlerror() said when the module or the symbol
// cannot be found or loaded. Thread-safe.
Result<void*> LoadSymbol(std::string_view module, std::string_view symbol);

}  // namespace reservo::service
