#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>

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
            io_, [this](Request& req) { return router_.Dispatch(req); }, ServerOptions{.max_body_bytes = 1024});
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
