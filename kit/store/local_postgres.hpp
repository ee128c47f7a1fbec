// A PostgreSQL server of this machine's own, from Debian's binaries, kept in a directory: what
// `reservo up --engines postgres` starts when no URL is given, and what the tests start.
//
//   auto pg = store::LocalPostgres::Start(data_dir + "/postgres");   // initdb on first use
//   std::string url = pg->url();   // postgresql:///postgres?host=<dir>/run&port=5432&user=postgres
//   pg->Stop();                    // fast shutdown; the data stays for the next Start
//
// The server listens on a Unix socket in the directory only (no TCP port to collide with).
// initdb refuses to run as root: as root, the server runs as the `postgres` user, which then owns
// the directory. Nothing here is for production: trust authentication on the socket.
#pragma once

#include <string>

#include "kit/core/error.hpp"

namespace reservo::store {

class LocalPostgres final {
  public:
    // Creates the cluster when the directory has none, then starts the server unless it runs.
    static Result<LocalPostgres> Start(const std::string& dir);
    // The server kept in `dir`, running or not, without starting it (to Stop it, or Start it again).
    static Result<LocalPostgres> In(const std::string& dir);
    // The server's binaries (/usr/lib/postgresql/<newest>/bin), or an error saying what to install.
    static Result<std::string> BinDir();

    const std::string& url() const { return url_; }
    const std::string& dir() const { return dir_; }
    // Fast shutdown (what a lost server looks like to its clients); Start again brings it back.
    Status Stop() const;
    // Starts the server again after Stop (the cluster must exist).
    Status Restart() const { return StartServer(); }
    // The server's process id, or 0 when it does not run.
    int Pid() const;

  private:
    LocalPostgres(std::string dir, std::string bin, std::string url)
        : dir_(std::move(dir)), bin_(std::move(bin)), url_(std::move(url)) {}
    Status StartServer() const;

    std::string dir_;
    std::string bin_;
    std::string url_;
};

}  // namespace reservo::store
