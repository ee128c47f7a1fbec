// A minimal HTTP/1.1 GET client over plain POSIX sockets, for readiness checks.
//
// The supervisor probes `GET /actuator/health/readiness` of many processes from one poll
// loop, so the probe is a non-blocking state machine; `HttpGet` wraps it for blocking use
// (tests, one-off checks):
//
//   HttpProbe probe;
//   probe.Start("127.0.0.1", 8081, "/actuator/health/readiness", Millis(2000));
//   ... poll(probe.Fd(), probe.Events()) ... if (auto done = probe.Advance()) use(*done);
//
//   Result<HttpResponse> r = HttpGet("127.0.0.1", 8081, "/pid", Millis(1000));
//
// Requests carry `Connection: close`; the response ends at Content-Length or at EOF.
#pragma once

#include <optional>
#include <string>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

struct HttpResponse {
    int status = 0;
    std::string body;
};

class HttpProbe final {
  public:
    HttpProbe() = default;
    HttpProbe(const HttpProbe&) = delete;
    HttpProbe& operator=(const HttpProbe&) = delete;
    HttpProbe(HttpProbe&& other) noexcept;
    HttpProbe& operator=(HttpProbe&& other) noexcept;
    ~HttpProbe();

    // Begins a GET of `path` on host:port (an IPv4 literal); the whole exchange must end
    // within `timeout`.
    Status Start(const std::string& host, int port, const std::string& path, Millis timeout);

    // The socket to poll and the events it waits for; -1 once finished.
    int Fd() const { return fd_; }
    short Events() const;
    bool Active() const { return fd_ >= 0; }
    SteadyClock::time_point Deadline() const { return deadline_; }

    // Makes progress without blocking: nothing while in flight, else the response or the
    // error (including kDeadlineExceeded once the deadline has passed).
    std::optional<Result<HttpResponse>> Advance();

  private:
    enum class Phase { kConnecting, kWriting, kReading };

    std::optional<Result<HttpResponse>> Finish(Result<HttpResponse> result);
    std::optional<Result<HttpResponse>> TryParse(bool eof);
    void Close();

    int fd_ = -1;
    Phase phase_ = Phase::kConnecting;
    std::string request_;
    size_t written_ = 0;
    std::string received_;
    SteadyClock::time_point deadline_{};
};

// Blocking GET: the response (any status) or the transport error.
Result<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path, Millis timeout);

}  // namespace reservo::cli
