#include "kit/service/plugin.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

namespace reservo::service {
namespace {

std::string DlError() {
    const char* what = dlerror();
    return what != nullptr ? what : "unknown error";
}

}  // namespace

std::string ModulePath(std::string_view module) {
    if (module.find('/') != std::string_view::npos) return std::string(module);
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return std::string(module);  // dlopen's own search, as a last resort
    return (exe.parent_path() / module).string();
}

Result<void*> LoadSymbol(std::string_view module, std::string_view symbol) {
    // Handles by path, for the process's lifetime; dlerror() is per thread, but dlopen/dlsym and
    // the map are kept under one lock so a message is never another call's.
    static std::mutex mutex;
    static std::map<std::string, void*, std::less<>> handles;
    const std::string path = ModulePath(module);
    std::lock_guard lock(mutex);
    auto it = handles.find(path);
    if (it == handles.end()) {
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            return Fail(Code::kFailedPrecondition, "cannot load module " + path + ": " + DlError());
        }
        it = handles.emplace(path, handle).first;
    }
    dlerror();  // clear: a symbol may legitimately be null, dlerror() alone tells
    const std::string name(symbol);
    void* address = dlsym(it->second, name.c_str());
    if (address == nullptr) {
        return Fail(Code::kFailedPrecondition, "module " + path + " has no symbol " + name + ": " + DlError());
    }
    return address;
}

}  // namespace reservo::service
