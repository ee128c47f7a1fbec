// The HTTP/1.1 server: one coroutine per connection on a single-threaded io_context.
//
//   Server server(io, [&](Request& req) { return router.Dispatch(req); }, {.max_body_bytes = 1 << 20});
//   server.Listen(8081);            // or server.Adopt(fd) for a socket inherited from `reservo up`
//   ...
//   server.Drain([] { /* all in-flight requests answered, connections closed */ });
//
// Keep-alive, a deadline on every read and write, a body-size limit (413), a head-size limit
// (431), malformed or ambiguous requests answered 400 or 501 and closed (kit/http/request_parsing.hpp
// says which). At most max_connections at once: one more closes the longest-idle keep-alive
// connection, or itself when none is idle. Drain stops accepting, lets busy connections finish with
// `Connection: close`, and closes idle ones once they have been idle past the drain grace.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "kit/core/error.hpp"
#include "kit/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::http {

struct ServerOptions {
    size_t max_body_bytes = 1 << 20;
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    // While draining, an idle keep-alive connection is closed only after this much idleness, so a
    // client that stops reusing connections sooner (ClientOptions::max_idle_age) never writes into
    // one being closed. A request that arrives meanwhile is served with `Connection: close`.
    std::chrono::milliseconds drain_idle_grace{5'000};
    // The request line and header fields together; a larger head is answered 431.
    size_t max_header_bytes = 16 * 1024;
    // Open connections at most; lowered to the descriptor limit less a reserve when Listen or Adopt
    // starts accepting, so idle clients cannot take every descriptor.
    size_t max_connections = 10'000;
};

// Raises this process's RLIMIT_NOFILE soft limit to its hard limit and returns the soft limit now in
// force (-1 if it cannot be read). Call once at start, before servers are created.
int RaiseDescriptorLimit();

using ServerHandler = std::function<Awaitable<Response>(Request&)>;

class Server final {
  public:
    Server(boost::asio::io_context& io, ServerHandler handler, ServerOptions options = {});
    ~Server();

    Status Listen(int port, bool reuse_port = true);
    Status Adopt(int fd);
    int port() const;

    void Drain(std::function<void()> done);
    size_t connections() const;
    size_t in_flight() const;
    // The connection cap in force (see ServerOptions::max_connections).
    size_t max_connections() const;
    // Connections closed because of the cap: idle ones closed to make room, and new ones refused.
    uint64_t connections_closed_at_cap() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::http
