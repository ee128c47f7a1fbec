#include "cli/supervisor/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/supervisor/posix.hpp"

namespace reservo::cli {

namespace {

constexpr int kListenBacklog = 1024;

}  // namespace

Result<int> OpenListener(const ProcessSpec& spec) {
    const std::string target = spec.system + "/" + spec.name;
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(static_cast<uint16_t>(spec.port));
    if (::inet_pton(AF_INET, spec.bind_address.c_str(), &in.sin_addr) != 1) {
        return Fail(Code::kInvalidArgument,
                    target + ": bad bind address '" + spec.bind_address + "' (an IPv4 address is expected)");
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(Code::kInternal, Errno("socket"));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0) {
        std::string message = target + ": cannot listen on " + spec.bind_address + ":" + std::to_string(spec.port) +
                              " (" + std::strerror(errno) + ")";
        ::close(fd);
        return Fail(Code::kUnavailable, message);
    }
    if (::listen(fd, kListenBacklog) != 0) {
        std::string message = Errno(target + ": listen");
        ::close(fd);
        return Fail(Code::kUnavailable, message);
    }
    return fd;
}

std::string ProbeHost(const std::string& bind_address) {
    return bind_address == "0.0.0.0" ? "127.0.0.1" : bind_address;
}

std::string UrlHost(const std::string& bind_address) {
    return bind_address == "0.0.0.0" || bind_address == "127.0.0.1" ? "localhost" : bind_address;
}

}  // namespace reservo::cli
