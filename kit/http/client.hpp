// HTTP/1.1 client with a keep-alive connection pool and a deadline per call.
//
//   Client vaccine(io, "http://127.0.0.1:8081");
//   Result<Response> r = co_await vaccine.Send(std::move(req), std::chrono::milliseconds(600));
//
// Failures are values that say whether the request may have had an effect: not sent (refused,
// unresolvable) → Unavailable; sent but unanswered (reset, closed) → Unknown; no answer before
// the deadline → DeadlineExceeded. A pooled
// connection the server has closed is noticed before reuse and dropped. A request that still fails
// on a reused connection before any response byte arrived is sent again on a fresh connection
// only if it is replayable (as Go's net/http decides): by default GET, HEAD, OPTIONS, TRACE or
// a request carrying an Idempotency-Key; callers that know better say so.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kit/core/error.hpp"
#include "kit/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace reservo::http {

struct ClientOptions {
    size_t max_idle_connections = 256;
    // A pooled connection idle longer than this is closed instead of reused: servers may close
    // idle connections after their own timeout (a draining Reservo server after 5 s), and the
    // client must give up first so it never writes into a connection being closed.
    std::chrono::milliseconds max_idle_age{4'000};
    size_t max_response_bytes = 16 << 20;
};

class Client final {
  public:
    Client(boost::asio::io_context& io, std::string base_url, ClientOptions options = {});
    ~Client();

    Awaitable<Result<Response>> Send(Request request, std::chrono::milliseconds timeout,
                                     std::optional<bool> replayable = std::nullopt);
    // Whether a request may be sent twice without a second effect, judged by its method and headers.
    static bool IsReplayable(const Request& request);
    const std::string& base_url() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace reservo::http
