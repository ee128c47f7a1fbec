// The control channel of a running `reservo up`, and how its state is shown.
//
// Protocol: a client connects to the AF_UNIX stream socket DATA/reservo.sock, sends one
// request line and reads the reply until the supervisor closes the connection. The reply's
// first line is `OK <message>` or `ERR <message>`; anything after it is the body.
//
//   PING                     → OK pong
//   STATUS                   → OK, body: the state as JSON (also kept in DATA/reservo.state)
//   STOP SYSTEM/SERVICE      → after every process of the service exited; not restarted
//   START SYSTEM/SERVICE     → after its replicas are ready
//   RESTART SYSTEM/SERVICE   → rolling: per replica, new process ready, then the old drained
//   SCALE SYSTEM/SERVICE N   → after N replicas are ready and the extra ones have exited
//   DOWN                     → after everything stopped; the supervisor then exits
//
// A target may omit `SYSTEM/` when the service name is unique. Replies come only when the
// command has finished; the supervisor bounds each step by its ready and drain timeouts.
//
//   Result<ControlReply> reply = SendControl("./data", "RESTART vaccine/reservation");
#pragma once

#include <set>
#include <string>

#include "kit/core/clock.hpp"
#include "kit/core/error.hpp"

namespace reservo::cli {

std::string ControlSocketPath(const std::string& data_dir);
std::string StateFilePath(const std::string& data_dir);

struct ControlReply {
    bool ok = false;
    std::string message;  // the rest of the first line
    std::string body;     // the lines after it
};

// Sends one request and waits for the reply. kUnavailable when no `reservo up` listens there.
Result<ControlReply> SendControl(const std::string& data_dir, const std::string& request,
                                 Millis timeout = Millis(10 * 60 * 1000));

// The state JSON with each process's `health` added: the `status` of its GET /actuator/health
// (UP, DOWN, OUT_OF_SERVICE), "unreachable" when it does not answer within `timeout`, null when
// it has no process. Every process is probed at once, so this takes at most `timeout`.
Result<std::string> WithHealth(const std::string& state_json, Millis timeout);

// Text tables from the state JSON: what `up` prints once ready (system, service, port, pid,
// url) and what `status` prints (with state, health, replicas, uptime and restarts).
Result<std::string> FormatReadyTable(const std::string& state_json);
Result<std::string> FormatStatusTable(const std::string& state_json);
// One line per gateway of a system in `with_console` (gateway.console.enabled): where its web
// console is, "console: http://localhost:8080/console/  (vaccine)".
std::string FormatConsoleLines(const std::string& state_json, const std::set<std::string>& with_console);

}  // namespace reservo::cli
