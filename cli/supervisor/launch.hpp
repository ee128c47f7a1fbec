// Starting one child process of the supervisor, and reading what the kernel says about it.
//
// The child runs spec.argv with the supervisor's environment plus spec.env, stdout and stderr
// appended to spec.log_path, stdin from /dev/null, in its own process group (Ctrl-C reaches
// only the supervisor, which stops children in order) and with SIGTERM as its parent-death
// signal. It inherits exactly two descriptors besides 0-2:
//
//   fd 3  the service's listening socket   RESERVO_LISTEN_FD=3
//   fd 4  the write end of a pipe          RESERVO_READY_FD=4 (write a line `ready` when ready)
//
// and learns its place among the replicas from RESERVO_REPLICA and RESERVO_REPLICAS.
//
//   Result<LaunchedProcess> child = Launch(spec, listen_fd, {.index = 0, .count = 1});
//   if (child) poll(child->ready_fd ...), waitpid(child->pid ...);
#pragma once

#include <sys/types.h>

#include <string>

#include "cli/supervisor.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

struct ReplicaPlace {
    int index = 0;  // RESERVO_REPLICA
    int count = 1;  // RESERVO_REPLICAS
};

struct LaunchedProcess {
    pid_t pid = -1;
    int pidfd = -1;     // readable once the process exits; -1 where pidfd_open is missing
    int ready_fd = -1;  // non-blocking read end of the child's fd 4
};

// Forks and executes `spec` with `listen_fd` as its fd 3. The error message names the
// service and the failed step (preparing the log file and pipe, or fork); a failed exec shows
// as exit code 127 with a line in the log.
Result<LaunchedProcess> Launch(const ProcessSpec& spec, int listen_fd, ReplicaPlace place);

// "exit code 3", "signal SIGKILL": a wait status for the log.
std::string DescribeExit(int status);

// The state letter of /proc/PID/stat: R, S, D, T (stopped by a signal), t (stopped by a
// debugger), Z…; '?' when unknown.
char ProcessState(pid_t pid);

}  // namespace reservo::cli
