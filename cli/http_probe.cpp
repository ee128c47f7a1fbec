#include "cli/http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

namespace reservo::cli {

namespace {

constexpr size_t kMaxResponseBytes = 1 << 20;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Case-insensitive search of a header's value in the header block.
std::optional<size_t> ContentLength(std::string_view headers) {
    constexpr std::string_view kName = "content-length:";
    for (size_t pos = 0; pos < headers.size();) {
        size_t eol = headers.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = headers.size();
        std::string_view line = headers.substr(pos, eol - pos);
        if (line.size() > kName.size() && std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            })) {
            std::string_view value = line.substr(kName.size());
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            size_t n = 0;
            for (char c : value) {
                if (c < '0' || c > '9') break;
                n = n * 10 + static_cast<size_t>(c - '0');
            }
            return n;
        }
        pos = eol + 2;
    }
    return std::nullopt;
}

}  // namespace

HttpProbe::HttpProbe(HttpProbe&& other) noexcept { *this = std::move(other); }

HttpProbe& HttpProbe::operator=(HttpProbe&& other) noexcept {
    if (this != &other) {
        Close();
        fd_ = std::exchange(other.fd_, -1);
        phase_ = other.phase_;
        request_ = std::move(other.request_);
        written_ = other.written_;
        received_ = std::move(other.received_);
        deadline_ = other.deadline_;
    }
    return *this;
}

HttpProbe::~HttpProbe() { Close(); }

void HttpProbe::Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Status HttpProbe::Start(const std::string& host, int port, const std::string& path, Millis timeout) {
    Close();
    received_.clear();
    written_ = 0;
    deadline_ = SteadyClock::now() + timeout;
    request_ = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
               "\r\nUser-Agent: reservo-supervisor\r\nConnection: close\r\n\r\n";

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
        return Fail(Code::kInvalidArgument, "not an IPv4 address: " + host);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail(Code::kUnavailable, Errno("socket"));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        phase_ = Phase::kWriting;
    } else if (errno == EINPROGRESS) {
        phase_ = Phase::kConnecting;
    } else {
        std::string message = Errno("connect");
        Close();
        return Fail(Code::kUnavailable, message);
    }
    return Ok();
}

short HttpProbe::Events() const { return phase_ == Phase::kReading ? POLLIN : POLLOUT; }

std::optional<Result<HttpResponse>> HttpProbe::Finish(Result<HttpResponse> result) {
    Close();
    return result;
}

std::optional<Result<HttpResponse>> HttpProbe::TryParse(bool eof) {
    size_t header_end = received_.find("\r\n\r\n");
    if (header_end == std::string::npos) {
        if (eof) return Finish(Fail(Code::kUnavailable, "connection closed before a response"));
        return std::nullopt;
    }
    // "HTTP/1.1 200 OK"
    int status = 0;
    if (received_.compare(0, 5, "HTTP/") != 0 || received_.size() < 12) {
        return Finish(Fail(Code::kInternal, "malformed status line"));
    }
    size_t space = received_.find(' ');
    if (space == std::string::npos || space + 4 > header_end) return Finish(Fail(Code::kInternal, "bad status line"));
    for (size_t i = space + 1; i < space + 4; ++i) {
        char c = received_[i];
        if (c < '0' || c > '9') return Finish(Fail(Code::kInternal, "bad status code"));
        status = status * 10 + (c - '0');
    }
    std::optional<size_t> length = ContentLength(std::string_view(received_).substr(0, header_end + 2));
    size_t body_start = header_end + 4;
    if (length && received_.size() >= body_start + *length) {
        return Finish(HttpResponse{status, received_.substr(body_start, *length)});
    }
    if (eof) {
        if (length) return Finish(Fail(Code::kUnavailable, "connection closed inside the body"));
        return Finish(HttpResponse{status, received_.substr(body_start)});
    }
    return std::nullopt;
}

std::optional<Result<HttpResponse>> HttpProbe::Advance() {
    if (fd_ < 0) return Result<HttpResponse>(Fail(Code::kInternal, "probe not started"));
    if (SteadyClock::now() >= deadline_) return Finish(Fail(Code::kDeadlineExceeded, "no response in time"));

    if (phase_ == Phase::kConnecting) {
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
            return Finish(Fail(Code::kUnavailable, Errno("getsockopt")));
        }
        if (error == EINPROGRESS || error == EALREADY) return std::nullopt;
        if (error != 0) return Finish(Fail(Code::kUnavailable, std::string("connect: ") + std::strerror(error)));
        // SO_ERROR is 0 both when connected and while still connecting; ask the peer.
        sockaddr_in peer{};
        socklen_t peer_len = sizeof peer;
        if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
            if (errno == ENOTCONN) return std::nullopt;
            return Finish(Fail(Code::kUnavailable, Errno("getpeername")));
        }
        phase_ = Phase::kWriting;
    }
    if (phase_ == Phase::kWriting) {
        while (written_ < request_.size()) {
            ssize_t n = ::send(fd_, request_.data() + written_, request_.size() - written_, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
                if (errno == EINTR) continue;
                return Finish(Fail(Code::kUnavailable, Errno("send")));
            }
            written_ += static_cast<size_t>(n);
        }
        phase_ = Phase::kReading;
    }
    char buffer[4096];
    for (;;) {
        ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) {
            received_.append(buffer, static_cast<size_t>(n));
            if (received_.size() > kMaxResponseBytes) return Finish(Fail(Code::kPayloadTooLarge, "response too large"));
            if (auto done = TryParse(false)) return done;
            continue;
        }
        if (n == 0) return TryParse(true);
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
        if (errno == EINTR) continue;
        return Finish(Fail(Code::kUnavailable, Errno("recv")));
    }
}

Result<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path, Millis timeout) {
    HttpProbe probe;
    if (Status started = probe.Start(host, port, path, timeout); !started) return Fail(started.error());
    for (;;) {
        if (auto done = probe.Advance()) return std::move(*done);
        auto left = std::chrono::duration_cast<Millis>(probe.Deadline() - SteadyClock::now()).count();
        pollfd pfd{probe.Fd(), probe.Events(), 0};
        ::poll(&pfd, 1, static_cast<int>(std::clamp<int64_t>(left + 1, 1, 1000)));
    }
}

}  // namespace reservo::cli
