#include "kit/store/doorbell.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace reservo::store {
namespace {

// IN_ATTRIB: an unlink changes the link count (IN_DELETE_SELF waits for our own descriptor to close).
constexpr uint32_t kWatched = IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

int OpenFile(const std::string& path) { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644); }

}  // namespace

Result<Doorbell> Doorbell::Open(const std::string& path) {
    const int file = OpenFile(path);
    if (file < 0) return Fail(Code::kUnavailable, "doorbell " + path + ": " + std::strerror(errno));
    const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    const int wd = watch < 0 ? -1 : ::inotify_add_watch(watch, path.c_str(), kWatched);
    if (wd < 0) {
        const int err = errno;
        ::close(file);
        if (watch >= 0) ::close(watch);
        return Fail(Code::kUnavailable, "inotify on " + path + ": " + std::strerror(err));
    }
    return Doorbell(path, file, watch, wd);
}

Doorbell::Doorbell(Doorbell&& other) noexcept
    : path_(std::move(other.path_)),
      file_fd_(std::exchange(other.file_fd_, -1)),
      watch_fd_(std::exchange(other.watch_fd_, -1)),
      wd_(other.wd_) {}

Doorbell& Doorbell::operator=(Doorbell&& other) noexcept {
    if (this != &other) {
        Close();
        path_ = std::move(other.path_);
        file_fd_ = std::exchange(other.file_fd_, -1);
        watch_fd_ = std::exchange(other.watch_fd_, -1);
        wd_ = other.wd_;
    }
    return *this;
}

Doorbell::~Doorbell() { Close(); }

void Doorbell::Close() {
    if (file_fd_ >= 0) ::close(file_fd_);
    if (watch_fd_ >= 0) ::close(watch_fd_);
    file_fd_ = watch_fd_ = -1;
}

void Doorbell::Ring() {
    if (file_fd_ < 0) return;
    // Same byte, same place: the file stays one byte long however often it rings.
    while (::pwrite(file_fd_, "\n", 1, 0) < 0 && errno == EINTR) {
    }
}

bool Doorbell::Take() {
    bool rang = false;
    bool replaced = false;
    alignas(inotify_event) char buf[1024];
    for (;;) {
        const ssize_t n = ::read(watch_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EAGAIN: nothing more pending
        for (ssize_t at = 0; at < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buf + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & (IN_MODIFY | IN_Q_OVERFLOW)) rang = true;
            if (event->mask & (IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) replaced = true;
        }
    }
    if (replaced && !StillThere()) rang = Rewatch() || rang;
    return rang;
}

// Whether the path still names the file we ring and watch.
bool Doorbell::StillThere() const {
    struct stat ours {
    }, named{};
    return ::fstat(file_fd_, &ours) == 0 && ::stat(path_.c_str(), &named) == 0 && ours.st_ino == named.st_ino &&
           ours.st_dev == named.st_dev;
}

// The file went (a data directory cleaned up under us): make it again and watch the new one, so
// later rings from anyone who opens it by its path are heard.
bool Doorbell::Rewatch() {
    const int file = OpenFile(path_);
    if (file < 0) return false;
    const int wd = ::inotify_add_watch(watch_fd_, path_.c_str(), kWatched);
    if (wd < 0) {
        ::close(file);
        return false;
    }
    if (wd != wd_) ::inotify_rm_watch(watch_fd_, wd_);  // the old file's, not heard from again
    wd_ = wd;
    ::close(file_fd_);
    file_fd_ = file;
    return true;
}

}  // namespace reservo::store
