#include "cli/http_probe.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace reservo::cli {
namespace {

// A listening socket on 127.0.0.1 with a kernel-chosen port.
class Listener final {
  public:
    Listener() {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(listen(fd_, 16), 0);
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~Listener() { close(fd_); }

    // Accepts one connection, reads the request head and writes `response` verbatim.
    std::thread AnswerOnce(std::string response) {
        return std::thread([this, response] {
            int fd = accept(fd_, nullptr, nullptr);
            if (fd < 0) return;
            std::string request;
            char buffer[1024];
            while (request.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = read(fd, buffer, sizeof buffer);
                if (n <= 0) break;
                request.append(buffer, static_cast<size_t>(n));
            }
            last_request_ = request;
            (void)!write(fd, response.data(), response.size());
            close(fd);
        });
    }

    int port() const { return port_; }
    const std::string& last_request() const { return last_request_; }

  private:
    int fd_ = -1;
    int port_ = 0;
    std::string last_request_;
};

TEST(HttpGet, ReadsStatusAndBodyByContentLength) {
    Listener listener;
    std::thread server = listener.AnswerOnce("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    auto response = HttpGet("127.0.0.1", listener.port(), "/actuator/health/readiness", Millis(2000));
    server.join();
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
    EXPECT_TRUE(listener.last_request().starts_with("GET /actuator/health/readiness HTTP/1.1\r\n"));
    EXPECT_NE(listener.last_request().find("Connection: close"), std::string::npos);
}

TEST(HttpGet, ReadsBodyUntilEofWithoutContentLength) {
    Listener listener;
    std::thread server = listener.AnswerOnce("HTTP/1.0 503 Service Unavailable\r\n\r\ndown");
    auto response = HttpGet("127.0.0.1", listener.port(), "/", Millis(2000));
    server.join();
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 503);
    EXPECT_EQ(response->body, "down");
}

TEST(HttpGet, TimesOutWhenNobodyAccepts) {
    Listener listener;  // the connection waits in the accept queue
    auto started = SteadyClock::now();
    auto response = HttpGet("127.0.0.1", listener.port(), "/", Millis(150));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, Code::kDeadlineExceeded);
    EXPECT_LT(SteadyClock::now() - started, Millis(2000));
}

TEST(HttpGet, FailsOnAClosedPort) {
    int port = 0;
    {
        Listener listener;
        port = listener.port();
    }
    auto response = HttpGet("127.0.0.1", port, "/", Millis(1000));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, Code::kUnavailable);
}

TEST(HttpGet, RejectsMalformedResponses) {
    Listener listener;
    std::thread server = listener.AnswerOnce("SSH-2.0-OpenSSH\r\n\r\n");
    auto response = HttpGet("127.0.0.1", listener.port(), "/", Millis(2000));
    server.join();
    EXPECT_FALSE(response);
}

}  // namespace
}  // namespace reservo::cli
