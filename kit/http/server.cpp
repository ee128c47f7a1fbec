#include "kit/http/server.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_set>

#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"

namespace reservo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
    explicit Connection(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    bool idle = true;
    std::chrono::steady_clock::time_point idle_since = std::chrono::steady_clock::now();
};

Request ToRequest(bhttp::request<bhttp::string_body>&& in) {
    Request r;
    r.method = std::string(in.method_string());
    r.target = std::string(in.target());
    r.version = static_cast<int>(in.version());
    for (const auto& f : in) r.headers.Add(f.name_string(), std::string(f.value()));
    r.body = std::move(in.body());
    return r;
}

bhttp::response<bhttp::string_body> ToBeast(Response&& res, int version, bool keep_alive) {
    bhttp::response<bhttp::string_body> out;
    out.result(static_cast<unsigned>(res.status));
    out.version(static_cast<unsigned>(version));
    for (auto& [k, v] : res.headers.all()) out.insert(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    return out;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, ServerHandler h, ServerOptions o)
        : io(io), acceptor(io), handler(std::move(h)), options(o) {}

    asio::io_context& io;
    tcp::acceptor acceptor;
    ServerHandler handler;
    ServerOptions options;
    std::unordered_set<Connection*> connections;
    size_t in_flight = 0;
    bool draining = false;
    std::function<void()> on_drained;

    void StartAccepting() { asio::co_spawn(io, AcceptLoop(shared_from_this()), asio::detached); }

    static asio::awaitable<void> AcceptLoop(std::shared_ptr<Impl> self) {
        while (!self->draining && self->acceptor.is_open()) {
            auto [ec, socket] = co_await self->acceptor.async_accept(kNoThrow);
            if (ec) {
                if (ec == asio::error::operation_aborted || self->draining) co_return;
                // Out of descriptors or a transient error: back off briefly instead of spinning.
                asio::steady_timer t(self->io, std::chrono::milliseconds(10));
                co_await t.async_wait(kNoThrow);
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            asio::co_spawn(self->io, Session(self, std::move(socket)), asio::detached);
        }
    }

    static asio::awaitable<void> WriteAndClose(Connection& conn, Response res, int version) {
        auto out = ToBeast(std::move(res), version, false);
        conn.stream.expires_after(std::chrono::seconds(5));
        co_await bhttp::async_write(conn.stream, out, kNoThrow);
    }

    // Lingering close (as nginx does): after an early error answer, read and drop what the client is
    // still sending, so closing does not reset the connection before the client reads the answer.
    static asio::awaitable<void> Linger(Connection& conn) {
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn.stream.expires_after(std::chrono::seconds(2));
        std::array<char, 64 * 1024> sink;
        size_t total = 0;
        while (total < (64u << 20)) {
            auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kNoThrow);
            if (ec) break;
            total += n;
        }
    }

    static asio::awaitable<void> Session(std::shared_ptr<Impl> self, tcp::socket socket) {
        Connection conn(std::move(socket));
        self->connections.insert(&conn);
        beast::flat_buffer buffer;
        // While draining, a connection keeps reading: its last answer may have promised keep-alive
        // (the drain began during the write), so it is closed only by a `Connection: close` answer
        // or by ReapIdle once idle past the grace — never while the client may be reusing it.
        for (;;) {
            conn.idle = true;
            conn.idle_since = std::chrono::steady_clock::now();
            conn.stream.expires_after(self->options.idle_timeout);
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(self->options.max_body_bytes);
            parser.header_limit(16 * 1024);
            auto [ec, n] = co_await bhttp::async_read(conn.stream, buffer, parser, kNoThrow);
            conn.idle = false;
            if (ec == bhttp::error::body_limit) {
                co_await WriteAndClose(
                    conn,
                    Problem(413, "Payload Too Large",
                            "the body exceeds " + std::to_string(self->options.max_body_bytes) + " bytes"),
                    11);
                co_await Linger(conn);
                break;
            }
            if (ec) {
                bool nothing_read = ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
                                    ec == beast::error::timeout || ec == asio::error::connection_reset ||
                                    ec == asio::error::eof;
                if (!nothing_read && parser.got_some()) {
                    co_await WriteAndClose(conn, Problem(400, "Bad Request", "malformed HTTP request: " + ec.message()),
                                           11);
                }
                break;
            }
            auto& raw = parser.get();
            bool keep_alive = raw.keep_alive();
            int version = static_cast<int>(raw.version());
            Request req = ToRequest(parser.release());
            // HEAD is GET without the body (RFC 9110 §9.3.2): route it as GET, send only the header.
            const bool head = req.method == "HEAD";
            if (head) req.method = "GET";
            Response res;
            auto split = SplitTarget(req.target);
            ++self->in_flight;
            if (!split) {
                res = Problem(400, "Bad Request", "malformed request target");
            } else {
                req.path = std::move(split->first);
                req.query = std::move(split->second);
                try {
                    res = co_await self->handler(req);
                } catch (const std::exception& e) {
                    log::Error("handler threw", {{"error", e.what()}, {"target", req.target}});
                    res = Problem(500, "Internal Server Error", "unexpected error");
                }
            }
            --self->in_flight;
            keep_alive = keep_alive && !self->draining;
            auto out = ToBeast(std::move(res), version, keep_alive);
            conn.stream.expires_after(self->options.write_timeout);
            beast::error_code wec;
            if (head) {
                bhttp::response_serializer<bhttp::string_body> sr{out};
                std::tie(wec, std::ignore) = co_await bhttp::async_write_header(conn.stream, sr, kNoThrow);
            } else {
                std::tie(wec, std::ignore) = co_await bhttp::async_write(conn.stream, out, kNoThrow);
            }
            if (wec || !keep_alive) break;
        }
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn.stream.socket().close(ignored);
        self->connections.erase(&conn);
        self->CheckDrained();
    }

    // While draining: close connections that stay idle past the grace; busy ones close themselves.
    static asio::awaitable<void> ReapIdle(std::shared_ptr<Impl> self) {
        while (!self->connections.empty()) {
            auto now = std::chrono::steady_clock::now();
            for (Connection* c : self->connections) {
                if (c->idle && now - c->idle_since >= self->options.drain_idle_grace) {
                    beast::error_code ignored;
                    c->stream.socket().cancel(ignored);
                }
            }
            asio::steady_timer t(self->io, std::chrono::milliseconds(50));
            co_await t.async_wait(kNoThrow);
        }
    }

    void CheckDrained() {
        if (draining && connections.empty() && on_drained) {
            auto done = std::move(on_drained);
            on_drained = nullptr;
            asio::post(io, std::move(done));
        }
    }
};

Server::Server(asio::io_context& io, ServerHandler handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(handler), options)) {}

Server::~Server() {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
}

Status Server::Listen(int port, bool reuse_port) {
    beast::error_code ec;
    tcp::endpoint ep(asio::ip::address_v4::any(), static_cast<unsigned short>(port));
    impl_->acceptor.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && reuse_port) {
        int one = 1;
        ::setsockopt(impl_->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (!ec) impl_->acceptor.bind(ep, ec);
    if (!ec) impl_->acceptor.listen(1024, ec);
    if (ec) return Fail(Code::kUnavailable, "cannot listen on port " + std::to_string(port) + ": " + ec.message());
    impl_->StartAccepting();
    return Ok();
}

Status Server::Adopt(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        return Fail(Code::kInvalidArgument, "inherited descriptor " + std::to_string(fd) + " is not a socket");
    }
    beast::error_code ec;
    impl_->acceptor.assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) return Fail(Code::kInvalidArgument, "cannot adopt listening socket: " + ec.message());
    impl_->StartAccepting();
    return Ok();
}

int Server::port() const {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? -1 : ep.port();
}

void Server::Drain(std::function<void()> done) {
    impl_->draining = true;
    impl_->on_drained = std::move(done);
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    asio::co_spawn(impl_->io, Impl::ReapIdle(impl_), asio::detached);
    impl_->CheckDrained();
}

size_t Server::connections() const { return impl_->connections.size(); }
size_t Server::in_flight() const { return impl_->in_flight; }

}  // namespace reservo::http
