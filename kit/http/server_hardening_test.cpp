// The server against hostile or sloppy clients, over raw sockets: request smuggling, Host rules,
// oversized heads, absolute-form and dot-segment targets, bare LFs, and the connection cap.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "kit/http/server.hpp"

namespace reservo::http {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

int Connect(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

void SendAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

struct Reply {
    std::string bytes;
    bool closed = false;  // the server closed the connection (end of stream or reset)
};

// Reads until the server closes the connection or `timeout` passes.
Reply ReadUntilClosed(int fd, std::chrono::milliseconds timeout) {
    Reply r;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return r;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return r;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            r.closed = true;
            return r;
        }
        r.bytes.append(buf, static_cast<size_t>(n));
    }
}

// Whether the server has closed `fd`, without waiting.
bool ClosedByServer(int fd) {
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

size_t CountResponses(const std::string& bytes) {
    size_t count = 0;
    for (size_t at = bytes.find("HTTP/1.1 "); at != std::string::npos; at = bytes.find("HTTP/1.1 ", at + 1)) ++count;
    return count;
}

class ServerHardeningTest : public ::testing::Test {
  protected:
    void Start(ServerOptions options = {}) {
        server_ = std::make_unique<Server>(
            io_,
            [this](Request& req) -> Awaitable<Response> {
                ++calls_;
                {
                    std::lock_guard lock(mu_);
                    seen_.push_back(req);
                }
                if (req.path == "/slow") {
                    asio::steady_timer t(io_, 500ms);
                    co_await t.async_wait(asio::use_awaitable);
                }
                co_return TextResponse(200, "path=" + req.path);
            },
            options);
        ASSERT_TRUE(server_->Listen(0, false));
        port_ = server_->port();
        thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        for (int fd : fds_) ::close(fd);
        work_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }

    // Runs `f` on the server's thread and returns its result.
    template <class F>
    auto OnIo(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    // Sends `bytes` on a fresh connection and reads until the server closes it (or 2 s pass).
    Reply Exchange(std::string_view bytes, std::chrono::milliseconds timeout = 2s) {
        int fd = Connect(port_);
        SendAll(fd, bytes);
        Reply r = ReadUntilClosed(fd, timeout);
        ::close(fd);
        return r;
    }

    std::vector<Request> Seen() {
        std::lock_guard lock(mu_);
        return seen_;
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
    std::unique_ptr<Server> server_;
    std::thread thread_;
    int port_ = 0;
    std::atomic<int> calls_{0};
    std::mutex mu_;
    std::vector<Request> seen_;
    std::vector<int> fds_;
};

TEST_F(ServerHardeningTest, ASmuggledRequestBehindATransferEncodingIsNeverRun) {
    Start();
    struct Case {
        std::string fields;
        std::string body;
        int status;
    };
    const std::vector<Case> cases = {
        {"Transfer-Encoding: identity\r\n", "", 400},
        {"Transfer-Encoding: gzip\r\n", "", 400},
        {"Transfer-Encoding: chunked, identity\r\n", "", 400},
        {"Transfer-Encoding: chunked, chunked\r\n", "", 400},
        {"Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n", 501},
        {"Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello", 400},
        {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n", 400},
    };
    for (const auto& c : cases) {
        std::string bytes = "POST /first HTTP/1.1\r\nHost: x\r\n" + c.fields + "\r\n" + c.body +
                            "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        Reply r = Exchange(bytes);
        EXPECT_EQ(r.bytes.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0), 0u) << c.fields << r.bytes;
        EXPECT_NE(r.bytes.find("application/problem+json"), std::string::npos) << c.fields;
        EXPECT_EQ(CountResponses(r.bytes), 1u) << c.fields << r.bytes;
        EXPECT_TRUE(r.closed) << c.fields;
    }
    EXPECT_EQ(calls_.load(), 0) << "a request was run: " << (Seen().empty() ? "" : Seen().back().path);
    // HTTP/1.0 has no chunked coding: its Transfer-Encoding marks faulty framing.
    Reply old =
        Exchange("POST /first HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.bytes.rfind("HTTP/1.1 400 ", 0), 0u) << old.bytes;
    EXPECT_EQ(calls_.load(), 0);
}

TEST_F(ServerHardeningTest, Http11WithoutExactlyOneHostIs400) {
    Start();
    for (const char* head : {"GET /x HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                             "GET /x HTTP/1.1\r\nHost: a@b\r\n\r\n"}) {
        Reply r = Exchange(head);
        EXPECT_EQ(r.bytes.rfind("HTTP/1.1 400 ", 0), 0u) << head << r.bytes;
        EXPECT_TRUE(r.closed);
    }
    EXPECT_EQ(calls_.load(), 0);
    Reply old = Exchange("GET /x HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.bytes.rfind("HTTP/1.0 200 ", 0), 0u) << old.bytes;
}

TEST_F(ServerHardeningTest, AnOversizedHeadIs431ProblemJsonAndCloses) {
    Start();
    Reply r = Exchange("GET /x HTTP/1.1\r\nHost: a\r\nCookie: " + std::string(20'000, 'c') + "\r\n\r\n");
    EXPECT_EQ(r.bytes.rfind("HTTP/1.1 431 ", 0), 0u) << r.bytes.substr(0, 200);
    EXPECT_NE(r.bytes.find("Content-Type: application/problem+json"), std::string::npos) << r.bytes;
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(calls_.load(), 0);
}

TEST_F(ServerHardeningTest, AbsoluteFormIsRoutedOnItsPathAndQuery) {
    Start();
    Reply r = Exchange(
        "GET http://localhost:8080/reservations?page=1 HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.bytes.rfind("HTTP/1.1 200 ", 0), 0u) << r.bytes;
    auto seen = Seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].path, "/reservations");
    EXPECT_EQ(seen[0].target, "/reservations?page=1");
    EXPECT_EQ(seen[0].Query("page").value_or(""), "1");
    EXPECT_EQ(seen[0].headers.Find("Host").value_or(""), "localhost:8080");
}

TEST_F(ServerHardeningTest, DotSegmentsCannotSlipPastAPrefixCheck) {
    Start();
    for (const char* target : {"/a/../actuator/faults", "/./x", "/a/%2e%2e/actuator/faults", "/a/%2E%2E/x",
                               "/public%2f..%2factuator", "http://h/a/../actuator"}) {
        Reply r = Exchange("GET " + std::string(target) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        EXPECT_EQ(r.bytes.rfind("HTTP/1.1 400 ", 0), 0u) << target << r.bytes;
    }
    EXPECT_EQ(calls_.load(), 0) << Seen().front().path;
}

TEST_F(ServerHardeningTest, BareLineFeedsAreAnswered400PromptlyInsteadOfHanging) {
    Start();  // the idle timeout is 30 s: an answer within 2 s comes from the parser, not the timer
    for (const char* bytes : {"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
                              "GET /x HTTP/1.1\r\nHost: x\r\n\n", "GET /x HTTP/1.1\nHost: x\n\n"}) {
        auto start = std::chrono::steady_clock::now();
        Reply r = Exchange(bytes);
        EXPECT_EQ(r.bytes.rfind("HTTP/1.1 400 ", 0), 0u) << bytes << r.bytes;
        EXPECT_TRUE(r.closed) << bytes;
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << bytes;
    }
    EXPECT_EQ(calls_.load(), 0);
}

TEST_F(ServerHardeningTest, PipelinedRequestsAreAnsweredInOrderOnAKeptConnection) {
    Start();
    int fd = Connect(port_);
    fds_.push_back(fd);
    SendAll(fd,
            "POST /one HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            "GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
    Reply r = ReadUntilClosed(fd, 300ms);
    EXPECT_FALSE(r.closed);
    EXPECT_EQ(CountResponses(r.bytes), 2u) << r.bytes;
    EXPECT_LT(r.bytes.find("path=/one"), r.bytes.find("path=/two")) << r.bytes;
    auto seen = Seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].body, "abc");
}

TEST_F(ServerHardeningTest, RequestsCarryThePeerAddress) {
    Start();
    Reply r = Exchange("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.bytes.rfind("HTTP/1.1 200 ", 0), 0u) << r.bytes;
    auto seen = Seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
}

TEST_F(ServerHardeningTest, AtTheCapTheLongestIdleConnectionsAreClosedFirst) {
    Start({.max_connections = 50});
    EXPECT_EQ(server_->max_connections(), 50u);
    for (int i = 0; i < 80; ++i) {
        fds_.push_back(Connect(port_));
        // Wait until the server has accepted it, so "oldest" follows the order of fds_.
        auto deadline = std::chrono::steady_clock::now() + 2s;
        while (OnIo([&] { return server_->connections() + server_->connections_closed_at_cap(); }) <
                   static_cast<size_t>(i + 1) &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
    }
    EXPECT_EQ(OnIo([&] { return server_->connections(); }), 50u);
    EXPECT_EQ(OnIo([&] { return server_->connections_closed_at_cap(); }), 30u);

    Reply r = Exchange("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.bytes.rfind("HTTP/1.1 200 ", 0), 0u) << "a new client is still served: " << r.bytes;
    EXPECT_EQ(OnIo([&] { return server_->connections_closed_at_cap(); }), 31u);

    std::this_thread::sleep_for(50ms);
    for (int i = 0; i < 80; ++i) {
        EXPECT_EQ(ClosedByServer(fds_[static_cast<size_t>(i)]), i < 31) << "connection " << i;
    }
}

TEST_F(ServerHardeningTest, AtTheCapWithNothingIdleTheNewConnectionIsClosed) {
    Start({.max_connections = 1});
    int busy = Connect(port_);
    fds_.push_back(busy);
    SendAll(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (OnIo([&] { return server_->in_flight(); }) == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    int refused = Connect(port_);
    fds_.push_back(refused);
    Reply none = ReadUntilClosed(refused, 400ms);
    EXPECT_TRUE(none.closed);
    EXPECT_TRUE(none.bytes.empty());
    Reply slow = ReadUntilClosed(busy, 1s);
    EXPECT_NE(slow.bytes.find("path=/slow"), std::string::npos) << "the busy connection is kept";
    EXPECT_EQ(OnIo([&] { return server_->connections_closed_at_cap(); }), 1u);
}

TEST(RaiseDescriptorLimitTest, RaisesTheSoftLimitToTheHardLimit) {
    int limit = RaiseDescriptorLimit();
    rlimit rl{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    EXPECT_GT(limit, 0);
    EXPECT_EQ(static_cast<rlim_t>(limit), rl.rlim_cur);
    if (rl.rlim_max != RLIM_INFINITY) {
        EXPECT_EQ(rl.rlim_cur, rl.rlim_max);
    }
}

}  // namespace
}  // namespace reservo::http
