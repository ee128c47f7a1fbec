// For tests that run a service host in-process: a loopback socket and a plain HTTP/1.1 call.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kit/core/config.hpp"

namespace reservo::service {

namespace test_asio = boost::asio;
namespace test_beast = boost::beast;
namespace test_http = boost::beast::http;

// A listening socket on 127.0.0.1 with a port of the kernel's choice: {fd, port}.
inline std::pair<int, int> ListenOnLoopback() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) return {-1, 0};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return {fd, ntohs(addr.sin_port)};
}

struct Reply {
    int status = 0;
    std::string body;
    std::string retry_after;
    bool replayed = false;
    std::string content_type;
};

inline Reply Call(int port, const std::string& method, const std::string& target, const std::string& body = "",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    test_asio::io_context io;
    test_asio::ip::tcp::socket socket(io);
    socket.connect({test_asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    test_http::request<test_http::string_body> req{test_http::string_to_verb(method), target, 11};
    req.set(test_http::field::host, "localhost");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    test_http::write(socket, req);
    test_beast::flat_buffer buffer;
    test_http::response<test_http::string_body> res;
    test_http::read(socket, buffer, res);
    test_beast::error_code ignored;
    socket.shutdown(test_asio::ip::tcp::socket::shutdown_both, ignored);
    return Reply{.status = static_cast<int>(res.result_int()),
                 .body = res.body(),
                 .retry_after = std::string(res[test_http::field::retry_after]),
                 .replayed = res["Idempotent-Replayed"] == "true",
                 .content_type = std::string(res[test_http::field::content_type])};
}

// The keys a host reads, as a system YAML gives them: the kit has no defaults of its own. `more`
// adds keys (a `services:` list, say).
inline Config HostTestConfig(const std::string& more = {}) {
    constexpr const char* kYaml = R"(
store: {engine: sqlite, synchronous: normal, accept-new: false}
idempotency: {retention-ms: 86400000}
events: {engine: embedded, topic: t, partitions: 4, retention-ms: 604800000, inbox-retention-ms: 604800000}
http: {max-body-bytes: 1048576, idle-timeout-ms: 30000, max-connections: 10000}
management: {endpoint: {health: {show-details: always}}}
logging: {access: true}
)";
    return Config::FromYaml(kYaml + more, [](const std::string&) { return std::optional<std::string>(); }).value();
}

}  // namespace reservo::service
