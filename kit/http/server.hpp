// The HTTP/1.1 server: one coroutine per connection on a single-threaded io_context.
//
//   Server server(io, [&](Request& req) { return router.Dispatch(req); }, {.max_body_bytes = 1 << 20});
//   server.Listen(8081);            // or server.Adopt(fd) for a socket inherited from `reservo up`
//   ...
//   server.Drain([] { /* all in-flight requests answered, connections closed */ });
//
// Keep-alive, a deadline on every read and write, a body-size limit (413), malformed
// requests answered 400 and closed. Drain stops accepting, lets busy connections finish with
// `Connection: close`, and closes idle ones once they have been idle past the drain grace.
#pragma once

#include <chrono>
#include <cstddef>
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
};

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

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::http
