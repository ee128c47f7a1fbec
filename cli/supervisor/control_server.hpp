// The supervisor's end of the control socket DATA/reservo.sock (protocol: cli/control.hpp).
//
// Accepts connections without blocking, reads one request line from each (at most 4 KiB,
// within 5 s) and hands it, with the connection, to the handler. The handler owns the
// connection from then on and answers it with Reply, now or once the command has finished.
//
//   ControlServer control(data_dir, [&](int fd, const std::string& line) { Handle(fd, line); });
//   if (Status open = control.Open(); !open) return open;
//   loop: control.Register(poll); poll.Wait(); control.DropIdle(now);
//   ControlServer::Reply(fd, true, "pong");
#pragma once

#include <functional>
#include <list>
#include <string>

#include "cli/supervisor/poll_set.hpp"
#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

class ControlServer final {
  public:
    using Handler = std::function<void(int fd, const std::string& line)>;

    ControlServer(std::string data_dir, Handler handler);
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    ~ControlServer();  // Close()

    // Binds the socket. Fails if another supervisor answers on it; removes one left behind by
    // a supervisor that died.
    Status Open();
    // Closes the connections still reading and the socket, and removes the socket file.
    void Close();

    // Adds the socket (new connections) and the connections still reading to the loop.
    void Register(PollSet& poll);
    // Closes connections that sent no complete line in time.
    void DropIdle(SteadyClock::time_point now);

    // Sends `OK message` or `ERR message`, then `body`, and closes `fd` (-1: nothing).
    static void Reply(int fd, bool ok, const std::string& message, const std::string& body = {});

  private:
    struct Client {
        int fd = -1;
        std::string buffer;
        SteadyClock::time_point deadline{};
    };

    void Accept();
    void Read(Client& client);

    std::string data_dir_;
    std::string socket_path_;
    Handler handler_;
    int fd_ = -1;
    std::list<Client> clients_;
};

}  // namespace reservo::cli
