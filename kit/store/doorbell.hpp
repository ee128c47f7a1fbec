// A wake-up across processes: writers Ring() it after they commit, waiters sleep until fd() turns
// readable and then Take() it, instead of polling the database. It is a small file beside the
// database (e.g. events.db-doorbell) watched with inotify; a ring writes one byte to it.
//
//   auto bell = store::Doorbell::Open(data_dir + "/events.db-doorbell").value();
//   ... commit ...; bell.Ring();                        // the writer, once its commit is visible
//   ... wait until bell.fd() is readable ...; if (bell.Take()) ReadTheDatabase();   // a waiter
//
// Why not watch the database's own files: SQLite appends to its WAL before the commit is visible
// (the WAL index, in shared memory, is updated after, and writes to shared memory raise no inotify
// event), so a waiter woken by the WAL could read too early and then sleep past the commit.
#pragma once

#include <string>

#include "kit/core/error.hpp"

namespace reservo::store {

class Doorbell final {
  public:
    // Creates the file if it is missing.
    static Result<Doorbell> Open(const std::string& path);
    Doorbell(Doorbell&& other) noexcept;
    Doorbell& operator=(Doorbell&& other) noexcept;
    Doorbell(const Doorbell&) = delete;
    Doorbell& operator=(const Doorbell&) = delete;
    ~Doorbell();

    // Wakes every waiter, in this process and others. Best effort: a ring that fails (a full disk)
    // leaves waiters to their own timers.
    void Ring();

    // Non-blocking; readable once rung since the last Take().
    int fd() const { return watch_fd_; }
    // Reads what is pending without waiting; true if the bell rang (or the file was replaced and
    // is watched anew, so a ring may have been missed).
    bool Take();

  private:
    Doorbell(std::string path, int file_fd, int watch_fd, int wd)
        : path_(std::move(path)), file_fd_(file_fd), watch_fd_(watch_fd), wd_(wd) {}
    bool StillThere() const;
    bool Rewatch();
    void Close();

    std::string path_;
    int file_fd_ = -1;   // the file, written by Ring
    int watch_fd_ = -1;  // inotify, watching the file
    int wd_ = -1;        // the file's watch (a new one after Rewatch)
};

}  // namespace reservo::store
