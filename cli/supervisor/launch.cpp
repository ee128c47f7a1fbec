#include "cli/supervisor/launch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <vector>

#include "cli/supervisor/posix.hpp"

extern char** environ;

namespace reservo::cli {

namespace {

constexpr int kChildListenFd = 3;
constexpr int kChildReadyFd = 4;

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

// The child's environment: the supervisor's, minus what spec.env and the supervisor set.
std::vector<std::string> ChildEnvironment(const ProcessSpec& spec, ReplicaPlace place) {
    std::vector<std::string> env;
    auto overridden = [&](std::string_view entry) {
        auto is = [&](std::string_view key) {
            return entry.starts_with(key) && entry.size() > key.size() && entry[key.size()] == '=';
        };
        if (is("RESERVO_LISTEN_FD") || is("RESERVO_READY_FD") || is("RESERVO_REPLICA") || is("RESERVO_REPLICAS")) {
            return true;
        }
        return std::any_of(spec.env.begin(), spec.env.end(), [&](const auto& kv) { return is(kv.first); });
    };
    for (char** e = environ; e && *e; ++e) {
        if (!overridden(*e)) env.emplace_back(*e);
    }
    for (const auto& [key, value] : spec.env) env.push_back(key + "=" + value);
    env.push_back("RESERVO_LISTEN_FD=" + std::to_string(kChildListenFd));
    env.push_back("RESERVO_READY_FD=" + std::to_string(kChildReadyFd));
    env.push_back("RESERVO_REPLICA=" + std::to_string(place.index));
    env.push_back("RESERVO_REPLICAS=" + std::to_string(place.count));
    return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

Result<LaunchedProcess> Launch(const ProcessSpec& spec, int listen_fd, ReplicaPlace place) {
    const std::string target = spec.system + "/" + spec.name;
    // Everything the child needs is prepared here: between fork and exec only
    // async-signal-safe calls are allowed (the supervisor may have threads).
    std::vector<std::string> env_storage = ChildEnvironment(spec, place);
    std::vector<char*> envp = Pointers(env_storage);
    std::vector<std::string> argv_storage = spec.argv;
    std::vector<char*> argv = Pointers(argv_storage);
    std::string exec_failed = "reservo: cannot execute " + spec.argv[0] + "\n";

    int log_fd = ::open(spec.log_path.empty() ? "/dev/null" : spec.log_path.c_str(),
                        O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int ready_pipe[2] = {-1, -1};
    if (log_fd < 0 || ::pipe2(ready_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::string message = Errno(target + ": cannot prepare the process (" + spec.log_path + ")");
        CloseFd(log_fd);
        CloseFd(ready_pipe[0]);
        CloseFd(ready_pipe[1]);
        return Fail(Code::kInternal, message);
    }
    // The child's end blocks so a `ready` write is never lost.
    ::fcntl(ready_pipe[1], F_SETFL, 0);
    pid_t parent = ::getpid();

    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);  // Ctrl-C reaches the supervisor only; it stops children in order
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT}) ::sigaction(sig, &dfl, nullptr);
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        int listen_copy = ::fcntl(listen_fd, F_DUPFD_CLOEXEC, 16);
        int ready_copy = ::fcntl(ready_pipe[1], F_DUPFD_CLOEXEC, 16);
        ::dup2(listen_copy, kChildListenFd);
        ::dup2(ready_copy, kChildReadyFd);
        ::close_range(kChildReadyFd + 1, ~0U, 0);
        ::execve(argv[0], argv.data(), envp.data());
        (void)!::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
        ::_exit(127);
    }
    std::string fork_error = pid < 0 ? Errno(target + ": fork") : "";
    ::close(log_fd);
    ::close(ready_pipe[1]);
    if (pid < 0) {
        ::close(ready_pipe[0]);
        return Fail(Code::kInternal, fork_error);
    }
    return LaunchedProcess{.pid = pid, .pidfd = PidfdOpen(pid), .ready_fd = ready_pipe[0]};
}

std::string DescribeExit(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::sigabbrev_np(WTERMSIG(status));
        return std::string("signal ") + (name ? std::string("SIG") + name : std::to_string(WTERMSIG(status)));
    }
    return "status " + std::to_string(status);
}

char ProcessState(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    size_t paren = stat.rfind(')');  // the command name may contain anything, even ')'
    return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
}

}  // namespace reservo::cli
