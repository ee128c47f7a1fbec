#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <thread>

#include "kit/http/client.hpp"
#include "kit/http/problem.hpp"
#include "kit/http/server.hpp"

namespace reservo::http {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class ServerClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.Get("/hello", [](Request& req) { return TextResponse(200, "hi " + req.Query("name").value_or("?")); });
        router_.Post("/echo", [](Request& req) { return TextResponse(200, req.body); });
        router_.AddAsync("GET", "/slow", [this](Request&) -> Awaitable<Response> {
            asio::steady_timer t(io_, 300ms);
            co_await t.async_wait(asio::use_awaitable);
            co_return TextResponse(200, "slow");
        });
        server_ = std::make_unique<Server>(
            io_, [this](Request& req) { return router_.Dispatch(req); },
            ServerOptions{.max_body_bytes = 1024, .drain_idle_grace = 300ms});
        ASSERT_TRUE(server_->Listen(0, false));
        client_ = std::make_unique<Client>(io_, "http://127.0.0.1:" + std::to_string(server_->port()));
    }

    template <class F>
    void RunCoroutine(F f) {
        asio::co_spawn(io_, f(), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        io_.run_for(10s);
        io_.restart();
    }

    static Request Get(std::string target) {
        Request r;
        r.method = "GET";
        r.target = std::move(target);
        return r;
    }

    asio::io_context io_;
    Router router_;
    std::unique_ptr<Server> server_;
    std::unique_ptr<Client> client_;
};

TEST_F(ServerClientTest, KeepAliveRequestsShareOneConnection) {
    RunCoroutine([&]() -> Awaitable<void> {
        for (int i = 0; i < 5; ++i) {
            auto r = co_await client_->Send(Get("/hello?name=kim"), 2s);
            EXPECT_TRUE(r);
            EXPECT_EQ(r->status, 200);
            EXPECT_EQ(r->body, "hi kim");
        }
        EXPECT_EQ(server_->connections(), 1u);
        server_->Drain([] {});
    });
}

TEST_F(ServerClientTest, OversizedBodyIs413AndMalformedTargetIs400) {
    RunCoroutine([&]() -> Awaitable<void> {
        Request big;
        big.method = "POST";
        big.target = "/echo";
        big.body = std::string(4096, 'x');
        auto r = co_await client_->Send(big, 2s);
        EXPECT_TRUE(r);
        EXPECT_EQ(r->status, 413);
        EXPECT_EQ(r->headers.Find("Content-Type").value_or(""), "application/problem+json");
        auto bad = co_await client_->Send(Get("/hello?%zz"), 2s);
        EXPECT_TRUE(bad);
        EXPECT_EQ(bad->status, 400);
        server_->Drain([] {});
    });
}

TEST_F(ServerClientTest, DeadlineExceededAndRefusedAreErrorValues) {
    RunCoroutine([&]() -> Awaitable<void> {
        auto r = co_await client_->Send(Get("/slow"), 50ms);
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, Code::kDeadlineExceeded);
        }
        Client nowhere(io_, "http://127.0.0.1:1");
        auto refused = co_await nowhere.Send(Get("/"), 500ms);
        EXPECT_FALSE(refused);
        if (!refused) {
            EXPECT_EQ(refused.error().code, Code::kUnavailable);
        }
        server_->Drain([] {});
    });
}

TEST_F(ServerClientTest, DrainFinishesInFlightRequests) {
    bool drained = false;
    std::optional<Result<Response>> slow;
    asio::co_spawn(
        io_, [&]() -> Awaitable<void> { slow = co_await client_->Send(Get("/slow"), 2s); }, asio::detached);
    RunCoroutine([&]() -> Awaitable<void> {
        asio::steady_timer t(io_, 50ms);
        co_await t.async_wait(asio::use_awaitable);
        EXPECT_EQ(server_->in_flight(), 1u);
        server_->Drain([&] { drained = true; });
    });
    ASSERT_TRUE(slow.has_value());
    ASSERT_TRUE(*slow) << slow->error().message;
    EXPECT_EQ((*slow)->body, "slow");
    EXPECT_EQ((*slow)->headers.Find("Connection").value_or(""), "close");
    EXPECT_TRUE(drained);
}

TEST_F(ServerClientTest, DrainServesARequestOnAnIdleConnectionWithinTheGrace) {
    bool drained = false;
    RunCoroutine([&]() -> Awaitable<void> {
        auto first = co_await client_->Send(Get("/hello?name=a"), 2s);  // leaves a pooled connection
        EXPECT_TRUE(first);
        server_->Drain([&] { drained = true; });
        Request post;
        post.method = "POST";  // not replayable: it must go through on the pooled connection as is
        post.target = "/echo";
        post.body = "late";
        auto late = co_await client_->Send(post, 2s);
        EXPECT_TRUE(late);
        if (late) {
            EXPECT_EQ(late->body, "late");
            EXPECT_EQ(late->headers.Find("Connection").value_or(""), "close");
        }
    });
    EXPECT_TRUE(drained);
    EXPECT_EQ(server_->connections(), 0u);
}

TEST_F(ServerClientTest, RawGarbageGets400AndServerSurvives) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const char garbage[] = "NOT HTTP AT ALL\r\n\r\n";
    ASSERT_GT(::write(fd, garbage, sizeof garbage - 1), 0);
    std::string got;
    RunCoroutine([&]() -> Awaitable<void> {
        asio::steady_timer t(io_, 100ms);
        co_await t.async_wait(asio::use_awaitable);
        char buf[512];
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) got.assign(buf, static_cast<size_t>(n));
        auto r = co_await client_->Send(Get("/hello"), 2s);
        EXPECT_TRUE(r);
        server_->Drain([] {});
    });
    ::close(fd);
    EXPECT_NE(got.find("400"), std::string::npos) << got;
}

}  // namespace
}  // namespace reservo::http

namespace reservo::http {
namespace {

TEST_F(ServerClientTest, HeadAnswersLikeGetWithoutABodyAndKeepsTheConnection) {
    RunCoroutine([&]() -> Awaitable<void> {
        Request head = Get("/hello?name=kim");
        head.method = "HEAD";
        auto h = co_await client_->Send(head, 2s);
        EXPECT_TRUE(h);
        if (h) {
            EXPECT_EQ(h->status, 200);
            EXPECT_EQ(h->headers.Find("Content-Length").value_or(""), "6");  // the GET body's length
            EXPECT_TRUE(h->body.empty());
        }
        auto g = co_await client_->Send(Get("/hello?name=lee"), 2s);  // same connection, not confused
        EXPECT_TRUE(g);
        if (g) {
            EXPECT_EQ(g->body, "hi lee");
        }
        EXPECT_EQ(server_->connections(), 1u);
        server_->Drain([] {});
    });
}

TEST_F(ServerClientTest, APooledConnectionTheServerClosedIsNotReusedEvenForPost) {
    // A server with a short idle timeout closes the pooled connection between two POSTs; the client
    // notices before writing, so even a non-replayable request goes through on a fresh connection.
    Server quick(
        io_, [this](Request& req) { return router_.Dispatch(req); }, ServerOptions{.idle_timeout = 50ms});
    ASSERT_TRUE(quick.Listen(0, false));
    Client client(io_, "http://127.0.0.1:" + std::to_string(quick.port()));
    RunCoroutine([&]() -> Awaitable<void> {
        Request post;
        post.method = "POST";
        post.target = "/echo";
        post.body = "one";
        auto first = co_await client.Send(post, 2s);
        EXPECT_TRUE(first);
        asio::steady_timer t(io_, 200ms);
        co_await t.async_wait(asio::use_awaitable);
        post.body = "two";
        auto second = co_await client.Send(post, 2s);
        EXPECT_TRUE(second);
        if (second) {
            EXPECT_EQ(second->body, "two");
        }
        quick.Drain([] {});
        server_->Drain([] {});
    });
}

// An upstream that answers its first request on a connection and swallows the second one, closing
// the connection without an answer — as a process killed mid-request would.
class SwallowingUpstream {
  public:
    SwallowingUpstream() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd_, 8);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~SwallowingUpstream() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    int port() const { return port_; }
    int requests() const { return requests_.load(); }

  private:
    void Serve() {
        for (;;) {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            for (int n = 0;; ++n) {
                char buf[4096];
                ssize_t got = ::recv(c, buf, sizeof buf, 0);
                if (got <= 0) break;
                ++requests_;
                if (n > 0) break;  // swallow: close without answering
                const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                (void)!::send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
            }
            ::close(c);
        }
    }
    int fd_ = -1;
    int port_ = 0;
    std::atomic<int> requests_{0};
    std::thread thread_;
};

TEST_F(ServerClientTest, OnlyReplayableRequestsAreSentAgainAfterADroppedConnection) {
    for (const char* method : {"POST", "GET"}) {
        SwallowingUpstream upstream;
        Client client(io_, "http://127.0.0.1:" + std::to_string(upstream.port()));
        std::optional<Result<Response>> first, second;
        RunCoroutine([&]() -> Awaitable<void> {
            Request req = Get("/x");
            req.method = method;
            first = co_await client.Send(req, 2s);
            second = co_await client.Send(req, 2s);  // reuses the pooled connection, which is swallowed
            server_->Drain([] {});
        });
        ASSERT_TRUE(first && *first) << method;
        ASSERT_TRUE(second.has_value());
        if (std::string(method) == "POST") {
            EXPECT_FALSE(*second) << "a POST must not be sent twice";
            EXPECT_EQ(upstream.requests(), 2);
        } else {
            EXPECT_TRUE(*second) << "a GET is replayed on a fresh connection";
            EXPECT_EQ(upstream.requests(), 3);
        }
        io_.restart();
    }
}

}  // namespace
}  // namespace reservo::http
