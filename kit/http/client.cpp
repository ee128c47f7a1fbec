#include "kit/http/client.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <deque>

#include "kit/http/wire.hpp"

namespace reservo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Client::Impl {
    Impl(asio::io_context& io, std::string base, ClientOptions o) : io(io), base_url(std::move(base)), options(o) {
        auto url = boost::urls::parse_absolute_uri(base_url);
        if (url) {
            host = url->host();
            port = url->has_port() ? std::string(url->port()) : "80";
        }
    }

    asio::io_context& io;
    std::string base_url;
    ClientOptions options;
    std::string host;
    std::string port;
    tcp::resolver::results_type endpoints;
    struct Pooled {
        beast::tcp_stream stream;
        std::chrono::steady_clock::time_point since;
    };
    std::deque<Pooled> idle;
};

namespace {

// Messages name the step, never the address: they reach clients in problem details, and the
// topology of the system is nobody's business outside it.
Error MapError(const beast::error_code& ec, std::string_view what) {
    if (ec == beast::error::timeout) return Error{Code::kDeadlineExceeded, std::string(what) + " timed out"};
    return Error{Code::kUnavailable, std::string(what) + " failed: " + ec.message()};
}

// Once the request may have reached the server, a failure leaves its outcome unknown.
Error AfterSending(const beast::error_code& ec, std::string_view what) {
    Error e = MapError(ec, what);
    if (e.code == Code::kUnavailable) e.code = Code::kUnknown;
    return e;
}

}  // namespace

Client::Client(asio::io_context& io, std::string base_url, ClientOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(base_url), options)) {}

Client::~Client() = default;

const std::string& Client::base_url() const { return impl_->base_url; }

bool Client::IsReplayable(const Request& request) {
    const std::string& m = request.method;
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" ||
           request.headers.Find("Idempotency-Key").has_value() || request.headers.Find("X-Idempotency-Key").has_value();
}

namespace {

// A method that is a token and a target without spaces or control characters: what a request line
// can carry without changing its meaning.
bool Sendable(std::string_view method, std::string_view target) {
    if (!IsToken(method) || target.empty()) return false;
    for (unsigned char c : target) {
        if (c <= ' ' || c == 0x7f) return false;
    }
    return true;
}

// A pooled connection is usable only if the server has neither closed it nor sent anything unasked.
bool StillOpen(beast::tcp_stream& stream) {
    char probe;
    ssize_t n = ::recv(stream.socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

Awaitable<Result<Response>> Client::Send(Request request, std::chrono::milliseconds timeout,
                                         std::optional<bool> replayable) {
    auto self = impl_;
    const bool may_replay = replayable.value_or(IsReplayable(request));
    const bool head = request.method == "HEAD";
    if (self->host.empty()) co_return Fail(Code::kInvalidArgument, "bad base URL " + self->base_url);
    auto deadline = std::chrono::steady_clock::now() + timeout;

    const std::string& target = request.target.empty() ? request.path : request.target;
    if (!Sendable(request.method, target)) {
        co_return Fail(Code::kInvalidArgument, "not a request line that can be sent: " + request.method.substr(0, 16));
    }
    // One gathered write of the head built here and the body as given.
    const std::string head_text = WireRequestHead(request, target, self->host + ":" + self->port);
    const std::array<asio::const_buffer, 2> out{asio::buffer(head_text), asio::buffer(request.body)};

    for (int attempt = 0; attempt < 2; ++attempt) {
        std::optional<beast::tcp_stream> stream;
        while (attempt == 0 && !stream && !self->idle.empty()) {
            auto pooled = std::move(self->idle.back());
            self->idle.pop_back();
            bool fresh = std::chrono::steady_clock::now() - pooled.since < self->options.max_idle_age;
            if (fresh && StillOpen(pooled.stream)) stream.emplace(std::move(pooled.stream));
        }
        bool reused = stream.has_value();  // a retry always opens a fresh connection
        if (!reused) {
            if (self->endpoints.empty()) {
                tcp::resolver resolver(self->io);
                auto [rec, results] = co_await resolver.async_resolve(self->host, self->port, kNoThrow);
                if (rec) co_return Fail(MapError(rec, "resolving the address"));
                self->endpoints = results;
            }
            stream.emplace(self->io);
            stream->expires_at(deadline);
            auto [cec, ep] = co_await stream->async_connect(self->endpoints, kNoThrow);
            if (cec) {
                self->endpoints = {};  // resolve again next time (the peer may have moved)
                co_return Fail(Code::kUnavailable, "connecting failed: " + cec.message());  // nothing was sent
            }
            stream->socket().set_option(tcp::no_delay(true));
        }
        stream->expires_at(deadline);
        auto [wec, wn] = co_await asio::async_write(*stream, out, kNoThrow);
        if (wec) {
            if (reused && may_replay && wec != beast::error::timeout) continue;
            co_return Fail(AfterSending(wec, "sending the request"));
        }
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(self->options.max_response_bytes);
        if (head) parser.skip(true);  // a HEAD answer has a Content-Length but no body
        auto [rec, rn] = co_await bhttp::async_read(*stream, buffer, parser, kNoThrow);
        if (rec) {
            if (reused && may_replay && !parser.got_some() && rec != beast::error::timeout) continue;
            co_return Fail(AfterSending(rec, "reading the answer"));
        }
        auto in = parser.release();
        Response res;
        res.status = static_cast<int>(in.result_int());
        for (const auto& f : in) res.headers.Add(f.name_string(), std::string(f.value()));
        res.body = std::move(in.body());
        if (in.keep_alive() && self->idle.size() < self->options.max_idle_connections) {
            stream->expires_never();
            self->idle.push_back(Impl::Pooled{std::move(*stream), std::chrono::steady_clock::now()});
        }
        co_return res;
    }
    co_return Fail(Code::kUnknown, "the connection closed before an answer");
}

}  // namespace reservo::http
