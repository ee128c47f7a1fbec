// The supervisor's state as JSON: what `reservo status --json` prints and what
// DATA/reservo.state holds (rewritten on every change), read by the tables of cli/control.hpp.
//
//   {"supervisorPid":1, "dataDir":"/srv/data", "state":"running", "processes":[
//     {"system":"vaccine", "service":"gateway", "port":8080, "bindAddress":"0.0.0.0",
//      "url":"http://localhost:8080", "state":"ready", "replicas":1, "ready":1, "pids":[42],
//      "restarts":0, "log":"…", "uptimeSeconds":75,
//      "instances":[{"replica":0, "pid":42, "state":"ready", "uptimeSeconds":75}]}]}
//
// uptimeSeconds: since the process started (a service: its longest-running process; null when
// none runs). In the state file it is as old as the last change; STATUS computes it afresh.
// `reservo status` adds each process's `health` (cli/control.hpp, WithHealth).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/supervisor/replica_set.hpp"

namespace reservo::cli {

std::string StateJson(const std::vector<std::unique_ptr<ReplicaSet>>& services, const std::string& data_dir,
                      bool shutting_down);

// Replaces `path` atomically (write to a temporary file, rename); a failure is ignored, the
// next change writes again.
void WriteStateFile(const std::string& path, const std::string& json);

}  // namespace reservo::cli
