#include "cli/supervisor/control_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "cli/control.hpp"
#include "cli/supervisor/posix.hpp"

namespace reservo::cli {

namespace {

constexpr size_t kMaxRequestLine = 4096;
constexpr Millis kRequestTimeout{5000};
constexpr int kBacklog = 64;

}  // namespace

ControlServer::ControlServer(std::string data_dir, Handler handler)
    : data_dir_(std::move(data_dir)), socket_path_(ControlSocketPath(data_dir_)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() { Close(); }

Status ControlServer::Open() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path_.size() >= sizeof addr.sun_path) {
        return Fail(Code::kInvalidArgument, "data directory path too long for a unix socket: " + socket_path_);
    }
    std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    if (std::filesystem::exists(std::filesystem::symlink_status(socket_path_))) {
        if (SendControl(data_dir_, "PING", Millis(2000))) {
            return Fail(Code::kAlreadyExists, "another `reservo up` is already running with --data " + data_dir_);
        }
        ::unlink(socket_path_.c_str());  // left behind by a supervisor that died
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(Code::kInternal, Errno("socket"));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, kBacklog) != 0) {
        std::string message = Errno("control socket " + socket_path_);
        ::close(fd);
        return Fail(Code::kUnavailable, message);
    }
    fd_ = fd;
    return Ok();
}

void ControlServer::Close() {
    for (Client& client : clients_) CloseFd(client.fd);
    clients_.clear();
    if (fd_ >= 0) {
        CloseFd(fd_);
        ::unlink(socket_path_.c_str());
    }
}

void ControlServer::Register(PollSet& poll) {
    if (fd_ >= 0) poll.Add(fd_, POLLIN, [this] { Accept(); });
    for (Client& client : clients_) {
        poll.Add(client.fd, POLLIN, [this, &client] { Read(client); });
        poll.WakeBy(client.deadline);  // DropIdle's
    }
}

void ControlServer::DropIdle(SteadyClock::time_point now) {
    clients_.remove_if([&](Client& client) {
        if (client.fd >= 0 && now > client.deadline) CloseFd(client.fd);
        return client.fd < 0;
    });
}

void ControlServer::Accept() {
    for (;;) {
        int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        clients_.push_back(Client{fd, {}, SteadyClock::now() + kRequestTimeout});
    }
}

void ControlServer::Read(Client& client) {
    char buffer[1024];
    for (;;) {
        ssize_t n = ::read(client.fd, buffer, sizeof buffer);
        if (n > 0) {
            client.buffer.append(buffer, static_cast<size_t>(n));
            size_t eol = client.buffer.find('\n');
            if (eol != std::string::npos) {
                std::string line = client.buffer.substr(0, eol);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                handler_(std::exchange(client.fd, -1), line);  // DropIdle forgets the client
                return;
            }
            if (client.buffer.size() > kMaxRequestLine) return Reply(std::exchange(client.fd, -1), false, "too long");
            continue;
        }
        if (n == 0) CloseFd(client.fd);
        return;
    }
}

void ControlServer::Reply(int fd, bool ok, const std::string& message, const std::string& body) {
    if (fd < 0) return;
    std::string text = std::string(ok ? "OK" : "ERR") + (message.empty() ? "" : " " + message) + "\n" + body;
    // Replies are small; the socket buffer takes them without blocking for long.
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    for (size_t sent = 0; sent < text.size();) {
        ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    ::close(fd);
}

}  // namespace reservo::cli
