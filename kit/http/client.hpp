// HTTP/1.1 client with a keep-alive connection pool and a deadline per call.
//
//   Client vaccine(io, "http://127.0.0.1:8081");
//   Result<Response> r = co_await vaccine.Send(std::move(req), std::chrono::milliseconds(600));
//
// Failures are values: refused or reset → Unavailable, deadline → DeadlineExceeded. A request
// that fails on a reused pooled connection before any response byte arrived (the server had
// closed it) is retried once on a fresh connection.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "kit/core/error.hpp"
#include "kit/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::http {

struct ClientOptions {
    size_t max_idle_connections = 256;
    size_t max_response_bytes = 16 << 20;
};

class Client final {
  public:
    Client(boost::asio::io_context& io, std::string base_url, ClientOptions options = {});
    ~Client();

    Awaitable<Result<Response>> Send(Request request, std::chrono::milliseconds timeout);
    const std::string& base_url() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::http
