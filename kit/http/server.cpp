#include "kit/http/server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <climits>
#include <fstream>
#include <list>
#include <unordered_set>

#include "kit/core/log.hpp"
#include "kit/http/problem.hpp"
#include "kit/http/request_parsing.hpp"
#include "kit/http/wire.hpp"

namespace reservo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
    Connection(tcp::socket s, std::string peer) : stream(std::move(s)), remote_address(std::move(peer)) {}
    beast::tcp_stream stream;
    std::string remote_address;
    // Idle: waiting for the first byte of its next request (a new connection is idle too).
    bool idle = false;
    std::chrono::steady_clock::time_point idle_since;
    std::list<Connection*>::iterator idle_pos;  // in Impl::idle while idle
};

// The peer's IP literal; an IPv4 peer on a dual-stack socket is written as IPv4.
std::string PeerAddress(const tcp::socket& socket) {
    beast::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return {};
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

// The cap actually used: the configured one, lowered to leave descriptors for files, outbound
// connections and the store.
size_t EffectiveConnectionCap(size_t configured) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return std::max<size_t>(configured, 1);
    size_t descriptors = rl.rlim_cur;
    size_t reserve = std::max<size_t>(64, descriptors / 10);
    size_t usable = descriptors > reserve ? descriptors - reserve : 1;
    return std::max<size_t>(std::min(configured, usable), 1);
}

// A co_spawn completion handler that logs what escaped the coroutine (asio::detached would drop it).
auto LogEscaped(const char* what) {
    return [what](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log::Error("server task failed", {{"task", what}, {"error", ex.what()}});
        } catch (...) {
            log::Error("server task failed", {{"task", what}, {"error", "an exception that is not a std::exception"}});
        }
    };
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, ServerHandler h, ServerOptions o)
        : io(io),
          acceptor(io),
          handler(std::move(h)),
          options(o),
          max_connections(EffectiveConnectionCap(o.max_connections)) {}

    asio::io_context& io;
    tcp::acceptor acceptor;
    ServerHandler handler;
    ServerOptions options;
    std::unordered_set<Connection*> connections;
    std::list<Connection*> idle;  // idle connections, longest idle first
    size_t max_connections;
    uint64_t closed_at_cap = 0;
    size_t in_flight = 0;
    bool draining = false;
    std::function<void()> on_drained;

    void StartAccepting() {
        max_connections = EffectiveConnectionCap(options.max_connections);
        asio::co_spawn(io, AcceptLoop(shared_from_this()), LogEscaped("accept loop"));
    }

    void MarkIdle(Connection& c) {
        if (c.idle) return;
        c.idle = true;
        c.idle_since = std::chrono::steady_clock::now();
        c.idle_pos = idle.insert(idle.end(), &c);
    }

    void MarkBusy(Connection& c) {
        if (!c.idle) return;
        idle.erase(c.idle_pos);
        c.idle = false;
    }

    // Closes the longest-idle connection to make room for a new one; false when none is idle. Its
    // pending read ends with operation_aborted and its session exits; the descriptor is freed now.
    bool CloseLongestIdle() {
        if (idle.empty()) return false;
        Connection* oldest = idle.front();
        MarkBusy(*oldest);
        connections.erase(oldest);
        oldest->stream.close();
        return true;
    }

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
            if (self->connections.size() >= self->max_connections) {
                ++self->closed_at_cap;
                if (!self->CloseLongestIdle()) {
                    socket.close(ec);  // every connection is busy: refuse this one
                    continue;
                }
            }
            socket.set_option(tcp::no_delay(true), ec);
            std::string peer = PeerAddress(socket);
            auto conn = std::make_unique<Connection>(std::move(socket), std::move(peer));
            // Registered here rather than when the session starts, so the cap counts it at once.
            self->connections.insert(conn.get());
            self->MarkIdle(*conn);
            asio::co_spawn(self->io, Session(self, std::move(conn)), LogEscaped("connection"));
        }
    }

    static asio::awaitable<void> WriteAndClose(Connection& conn, Response res, int version) {
        const std::string head = WireResponseHead(res, version, false);
        const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(res.body)};
        conn.stream.expires_after(std::chrono::seconds(5));
        co_await asio::async_write(conn.stream, wire, kNoThrow);
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

    static asio::awaitable<void> Session(std::shared_ptr<Impl> self, std::unique_ptr<Connection> owned) {
        Connection& conn = *owned;
        // Should anything escape (logged where the session was spawned), the server must not keep
        // a pointer to the connection that goes with this frame.
        struct Forget {
            Impl& self;
            Connection& conn;
            bool done = false;
            ~Forget() {
                if (done) return;
                self.MarkBusy(conn);
                self.connections.erase(&conn);
            }
        } forget{*self, conn};
        beast::flat_buffer buffer;
        const RequestLimits limits{.max_body_bytes = self->options.max_body_bytes,
                                   .max_header_bytes = self->options.max_header_bytes};
        // While draining, a connection keeps reading: its last answer may have promised keep-alive
        // (the drain began during the write), so it is closed only by a `Connection: close` answer
        // or by ReapIdle once idle past the grace — never while the client may be reusing it.
        for (;;) {
            conn.stream.expires_after(self->options.idle_timeout);
            RequestParser parser(limits);
            // Read with read_some and feed the parser ourselves (not bhttp::async_read): the parser then
            // sees the header before any body byte, and leftover framing can be judged while waiting.
            beast::error_code ec;
            for (;;) {
                if (buffer.size() == 0) {
                    if (!parser.got_some()) self->MarkIdle(conn);
                } else {
                    self->MarkBusy(conn);
                    auto data = buffer.data();
                    buffer.consume(parser.Feed(std::string_view(static_cast<const char*>(data.data()), data.size())));
                    if (parser.state() != RequestParser::State::kNeedMore) break;
                }
                size_t n = 0;
                std::tie(ec, n) =
                    co_await conn.stream.async_read_some(buffer.prepare(beast::read_size(buffer, 65536)), kNoThrow);
                if (ec) break;
                buffer.commit(n);
            }
            self->MarkBusy(conn);
            if (parser.state() == RequestParser::State::kNeedMore) {
                // End of stream, timeout, reset or cancel: nothing to answer unless a request was cut short.
                if (ec == asio::error::eof && (parser.got_some() || buffer.size() > 0)) {
                    co_await WriteAndClose(conn, Problem(400, "Bad Request", "the request ended early"), 11);
                }
                break;
            }
            if (parser.state() == RequestParser::State::kFailed) {
                const RequestError& error = parser.error();
                co_await WriteAndClose(conn, Problem(error.status, error.title, error.detail), 11);
                co_await Linger(conn);
                break;
            }
            bool keep_alive = parser.keep_alive();
            int version = parser.version();
            Request req = parser.TakeRequest();
            req.remote_address = conn.remote_address;
            // HEAD is GET without the body (RFC 9110 §9.3.2): route it as GET, send only the header.
            const bool head = req.method == "HEAD";
            if (head) req.method = "GET";
            Response res;
            ++self->in_flight;
            try {
                res = co_await self->handler(req);
            } catch (const std::exception& e) {
                log::Error("handler threw", {{"error", e.what()}, {"target", req.target}});
                res = Problem(500, "Internal Server Error", "unexpected error");
            } catch (...) {
                log::Error("handler threw",
                           {{"error", "an exception that is not a std::exception"}, {"target", req.target}});
                res = Problem(500, "Internal Server Error", "unexpected error");
            }
            --self->in_flight;
            keep_alive = keep_alive && !self->draining;
            // One gathered write: the head built here, the body as the handler made it (HEAD: none).
            const std::string wire_head = WireResponseHead(res, version, keep_alive);
            const std::array<asio::const_buffer, 2> wire{asio::buffer(wire_head),
                                                         head ? asio::const_buffer() : asio::buffer(res.body)};
            conn.stream.expires_after(self->options.write_timeout);
            beast::error_code wec;
            std::tie(wec, std::ignore) = co_await asio::async_write(conn.stream, wire, kNoThrow);
            if (wec || !keep_alive) break;
        }
        self->MarkBusy(conn);
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn.stream.socket().close(ignored);
        self->connections.erase(&conn);
        forget.done = true;
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
    asio::co_spawn(impl_->io, Impl::ReapIdle(impl_), LogEscaped("drain reaper"));
    impl_->CheckDrained();
}

size_t Server::connections() const { return impl_->connections.size(); }
size_t Server::in_flight() const { return impl_->in_flight; }
size_t Server::max_connections() const { return impl_->max_connections; }
uint64_t Server::connections_closed_at_cap() const { return impl_->closed_at_cap; }

int RaiseDescriptorLimit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit wanted = rl;
        wanted.rlim_cur = rl.rlim_max;
        if (rl.rlim_max == RLIM_INFINITY) {
            // Linux refuses an unlimited soft limit; the kernel's per-process ceiling is the most it takes.
            rlim_t ceiling = 0;
            std::ifstream nr_open("/proc/sys/fs/nr_open");
            wanted.rlim_cur = (nr_open >> ceiling) && ceiling > 0 ? ceiling : rlim_t{1} << 20;
        }
        if (::setrlimit(RLIMIT_NOFILE, &wanted) == 0) rl = wanted;
    }
    return rl.rlim_cur == RLIM_INFINITY ? INT_MAX : static_cast<int>(std::min<rlim_t>(rl.rlim_cur, INT_MAX));
}

}  // namespace reservo::http
