// A stand-in for `reservo serve` in the supervisor's tests: plain POSIX, one connection at a time.
//
//   reservo_fake_service [--port N] [--ready-delay-ms N] [--no-notify]
//
// Listens on the inherited socket in $RESERVO_LISTEN_FD (else binds 127.0.0.1:N). After the
// delay it is ready: it writes `ready` to $RESERVO_READY_FD (unless --no-notify) and answers
// `GET /actuator/health/readiness` with 200 (503 before); `GET /actuator/health/liveness`
// answers 200 from the start. `GET /pid` answers its pid, `GET /replica` $RESERVO_REPLICA and
// `GET /sockname` the address of its listening socket ("127.0.0.1:8081"). SIGUSR1: hangs —
// accepts and answers nothing more, but still exits on SIGTERM. SIGTERM: stops accepting,
// finishes the current request, exits 0.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_hang = 0;
int g_wake[2] = {-1, -1};
int g_listen_fd = -1;

void OnSignal(int sig) {
    if (sig == SIGUSR1) {
        g_hang = 1;
    } else {
        g_stop = 1;
    }
    char c = 'x';
    (void)!write(g_wake[1], &c, 1);
}

std::string SockName(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::strerror(errno);
    char host[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(addr.sin_port));
}

void Respond(int fd, int status, const std::string& body) {
    const char* reason = status == 200 ? "OK" : status == 503 ? "Service Unavailable" : "Not Found";
    std::string text =
        "HTTP/1.1 " + std::to_string(status) + " " + reason +
        "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    for (size_t sent = 0; sent < text.size();) {
        ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
    }
}

void Serve(int fd, bool ready) {
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string request;
    char buffer[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a probe the supervisor gave up on, or a timeout
        request.append(buffer, static_cast<size_t>(n));
    }
    size_t start = request.find(' ');
    size_t end = start == std::string::npos ? start : request.find(' ', start + 1);
    std::string path = end == std::string::npos ? "" : request.substr(start + 1, end - start - 1);
    if (path == "/actuator/health/readiness") {
        Respond(fd, ready ? 200 : 503, ready ? "{\"status\":\"UP\"}" : "{\"status\":\"OUT_OF_SERVICE\"}");
    } else if (path == "/actuator/health/liveness") {
        Respond(fd, 200, "{\"status\":\"UP\"}");
    } else if (path == "/sockname") {
        Respond(fd, 200, SockName(g_listen_fd));
    } else if (path == "/pid") {
        Respond(fd, 200, std::to_string(getpid()));
    } else if (path == "/replica") {
        const char* replica = getenv("RESERVO_REPLICA");
        Respond(fd, 200, replica ? replica : "");
    } else {
        Respond(fd, 404, "not found");
    }
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0;
    long ready_delay_ms = 0;
    bool notify = true;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            port = std::atoi(argv[++i]);
        } else if (arg == "--ready-delay-ms" && i + 1 < argc) {
            ready_delay_ms = std::atol(argv[++i]);
        } else if (arg == "--no-notify") {
            notify = false;
        }
    }
    if (pipe2(g_wake, O_NONBLOCK) != 0) return 2;
    struct sigaction action {};
    action.sa_handler = OnSignal;  // no SA_RESTART: a blocked call returns EINTR
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGUSR1, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);

    int listen_fd = -1;
    if (const char* inherited = getenv("RESERVO_LISTEN_FD")) {
        listen_fd = std::atoi(inherited);
    } else {
        listen_fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(listen_fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd, 128) != 0) {
            std::perror("bind");
            return 2;
        }
    }
    g_listen_fd = listen_fd;
    // Replicas share the socket and all wake up on a connection; only one accept succeeds.
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);

    auto ready_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ready_delay_ms);
    bool ready = false;
    const char* ready_fd = getenv("RESERVO_READY_FD");
    std::fprintf(stderr, "fake service pid %d listening on fd %d\n", getpid(), listen_fd);
    while (!g_stop) {
        auto now = std::chrono::steady_clock::now();
        if (!ready && now >= ready_at) {
            ready = true;
            if (notify && ready_fd) {
                int fd = std::atoi(ready_fd);
                (void)!write(fd, "ready\n", 6);
                close(fd);
            }
        }
        int timeout =
            ready ? -1
                  : static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(ready_at - now).count() + 1);
        // Hung: waits for SIGTERM only; connections stay in the queue (or go to another replica).
        pollfd fds[2] = {{g_wake[0], POLLIN, 0}, {listen_fd, POLLIN, 0}};
        if (poll(fds, g_hang ? 1 : 2, g_hang ? -1 : timeout) <= 0) continue;
        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (read(g_wake[0], drain, sizeof drain) > 0) {
            }
        }
        if (g_stop) break;
        if (g_hang || !(fds[1].revents & POLLIN)) continue;
        int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;  // another replica took it
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        Serve(fd, ready);
        close(fd);
    }
    close(listen_fd);
    std::fprintf(stderr, "fake service pid %d stopped\n", getpid());
    return 0;
}
