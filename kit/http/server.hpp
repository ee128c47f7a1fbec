// The HTTP/1.1 server: one coroutine per connection on a single-threaded io_context.
//
//   Server server(io, [&](Request& req) { return router.Dispatch(req); }, {.max_body_bytes = 1 << 20});
//   server.Listen(8081);            // or server.Adopt(fd) for a socket inherited from `reservo up`
//   ...
//   server.Drain([] { /* all in-flight requests answered, connections closed */ });
//
// Keep-alive, a deadline on every read and write, a body-size limit (413), malformed
// requests answered 400 and closed. Drain stops accepting, closes idle connections and
// lets busy ones finish with `Connection: close`.
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
