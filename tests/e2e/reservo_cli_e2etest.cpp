// The `reservo` commands that let a user see what a running system does — `logs`, `status`'s
// HEALTH and UPTIME, `config`, `completion bash` and `down --purge` — on one real `reservo up
// vaccine --detach` shared by the suite. Its last test purges the system's data directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/system_fixture.hpp"

namespace reservo::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// "vaccine/gateway" of "vaccine/gateway      | {...}".
std::string Prefix(const std::string& line) {
    size_t bar = line.find(" | ");
    if (bar == std::string::npos) return "";
    std::string prefix = line.substr(0, bar);
    while (!prefix.empty() && prefix.back() == ' ') prefix.pop_back();
    return prefix;
}

// The record's "ts" ("2026-01-31T12:00:00.123Z"; sorts as text), or "".
std::string Ts(const std::string& line) {
    static const std::regex kTs(R"(\| \{"ts":"([0-9T:.\-]+Z)\")");
    std::smatch m;
    return std::regex_search(line, m, kTs) ? m[1].str() : "";
}

std::string IsoNowUtc() {
    auto now = std::chrono::system_clock::now();
    time_t secs = std::chrono::system_clock::to_time_t(now);
    tm utc{};
    gmtime_r(&secs, &utc);
    char buffer[96];
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(millis));
    return buffer;
}

// A `reservo` command running in the background with its stdout and stderr on a pipe.
class Background final {
  public:
    explicit Background(std::vector<std::string> args) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) return;
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], STDOUT_FILENO);
            dup2(out[1], STDERR_FILENO);
            std::vector<char*> argv;
            for (std::string& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(out[1]);
        fd_ = out[0];
    }
    ~Background() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (fd_ >= 0) close(fd_);
    }
    // Reads until `text` appeared in the output or `timeout` passed.
    bool WaitFor(const std::string& text, Millis timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (output_.find(text) == std::string::npos) {
            auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
            if (left <= 0) return false;
            pollfd pfd{fd_, POLLIN, 0};
            if (poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
            char buffer[8192];
            ssize_t n = read(fd_, buffer, sizeof buffer);
            if (n <= 0) return output_.find(text) != std::string::npos;
            output_.append(buffer, static_cast<size_t>(n));
        }
        return true;
    }
    // Sends `sig` and waits (bounded) for the exit; the exit code, or -1.
    int Stop(int sig) {
        kill(pid_, sig);
        for (int i = 0; i < 200; ++i) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            usleep(25'000);
        }
        return -1;
    }
    const std::string& output() const { return output_; }
    bool Running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

  private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string output_;
};

std::string g_started_at;  // UTC, once the system was ready

class ReservoCliE2E : public SystemTest {
  protected:
    static void SetUpTestSuite() {
        StartSystem({.system = "vaccine", .up_args = {}});
        g_started_at = IsoNowUtc();
    }

    // A request through the gateway whose access-log lines carry `marker` (as their requestId).
    void Mark(const std::string& marker) {
        http::Request req;
        req.method = "GET";
        req.target = "/vaccineMgmts";
        req.headers.Set("X-Request-Id", marker);
        http_.Call(gateway(), std::move(req));
    }
};

TEST_F(ReservoCliE2E, LogsMergesEveryProcessInTimeOrderWithPrefixes) {
    Mark("merge-marker");
    RunResult logs = system().Reservo({"logs"});
    ASSERT_EQ(logs.exit_code, 0) << logs.output;
    std::set<std::string> prefixes;
    std::string last_ts;
    size_t timed = 0;
    for (const std::string& line : Lines(logs.output)) {
        std::string prefix = Prefix(line);
        ASSERT_FALSE(prefix.empty()) << "every line names its process: " << line;
        prefixes.insert(prefix);
        std::string ts = Ts(line);
        if (ts.empty()) continue;
        ++timed;
        EXPECT_LE(last_ts, ts) << "in time order: " << line;
        last_ts = ts;
    }
    EXPECT_GT(timed, 5u);
    for (const char* process :
         {"vaccine/gateway", "vaccine/vaccine-mgmt", "vaccine/reservation", "vaccine/notification", "vaccine/mypage"}) {
        EXPECT_TRUE(prefixes.contains(process)) << process << " missing in:\n" << logs.output.substr(0, 2000);
    }
    EXPECT_NE(logs.output.find("merge-marker"), std::string::npos);
    EXPECT_EQ(logs.output.find("\x1b["), std::string::npos) << "no colour into a pipe";

    RunResult gateway = system().Reservo({"logs", "vaccine/gateway"});
    ASSERT_EQ(gateway.exit_code, 0) << gateway.output;
    for (const std::string& line : Lines(gateway.output)) EXPECT_EQ(Prefix(line), "vaccine/gateway") << line;
    EXPECT_NE(gateway.output.find("merge-marker"), std::string::npos);
}

TEST_F(ReservoCliE2E, LogsSinceLeavesOutOlderLines) {
    std::this_thread::sleep_for(Millis(20));
    std::string since = IsoNowUtc();
    Mark("since-marker");
    RunResult recent = system().Reservo({"logs", "--since", since});
    ASSERT_EQ(recent.exit_code, 0) << recent.output;
    EXPECT_NE(recent.output.find("since-marker"), std::string::npos) << recent.output;
    EXPECT_EQ(recent.output.find("merge-marker"), std::string::npos) << "an earlier request's line";
    for (const std::string& line : Lines(recent.output)) {
        if (!Ts(line).empty()) {
            EXPECT_GE(Ts(line), since) << line;
        }
    }
    RunResult hour = system().Reservo({"logs", "vaccine", "--since", "1h"});
    ASSERT_EQ(hour.exit_code, 0) << hour.output;
    std::string earliest = "9999";
    for (const std::string& line : Lines(hour.output)) {
        if (!Ts(line).empty()) earliest = std::min(earliest, Ts(line));
    }
    EXPECT_LT(earliest, g_started_at) << "start-up lines are within the hour";
    EXPECT_GT(Lines(hour.output).size(), Lines(recent.output).size());

    RunResult bad = system().Reservo({"logs", "--since", "yesterday"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.output.find("--since 'yesterday'"), std::string::npos) << bad.output;
}

TEST_F(ReservoCliE2E, LogsFollowPicksUpNewLinesUntilTerminated) {
    Mark("follow-before");
    Background follow({ReservoBinary(), "logs", "vaccine/gateway", "-f", "--data", system().data_dir()});
    ASSERT_TRUE(follow.WaitFor("follow-before", Millis(10000))) << "what was there: " << follow.output();
    Mark("follow-after");
    EXPECT_TRUE(follow.WaitFor("follow-after", Millis(10000)))
        << "a line written after it started: " << follow.output();
    EXPECT_TRUE(follow.Running()) << "it keeps following";
    EXPECT_EQ(follow.output().find("\x1b["), std::string::npos);
    EXPECT_EQ(follow.Stop(SIGTERM), 0) << "ends cleanly on SIGTERM";
}

TEST_F(ReservoCliE2E, LogsTellReplicasApart) {
    ScaleService("notification", 2);
    RunResult logs = system().Reservo({"logs", "vaccine/notification"});
    ASSERT_EQ(logs.exit_code, 0) << logs.output;
    std::set<std::string> prefixes;
    for (const std::string& line : Lines(logs.output)) prefixes.insert(Prefix(line));
    EXPECT_TRUE(prefixes.contains("vaccine/notification#0")) << logs.output.substr(0, 3000);
    EXPECT_TRUE(prefixes.contains("vaccine/notification#1")) << logs.output.substr(0, 3000);
}

TEST_F(ReservoCliE2E, LogsRefusesWhatIsNotRunning) {
    RunResult unknown = system().Reservo({"logs", "vaccine/no-such-service"});
    EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
    EXPECT_NE(unknown.output.find("vaccine/reservation"), std::string::npos) << "lists what runs: " << unknown.output;
    EXPECT_EQ(system().Reservo({"logs", "hotel"}).exit_code, 2) << "a system this up does not run";

    std::string empty = fs::temp_directory_path() / ("reservo-no-up-" + std::to_string(getpid()));
    RunResult none = e2e::Run({ReservoBinary(), "logs", "--data", empty});
    EXPECT_NE(none.exit_code, 0);
    EXPECT_NE(none.output.find("no `reservo up` is running"), std::string::npos) << none.output;
}

TEST_F(ReservoCliE2E, StatusShowsHealthAndUptime) {
    RunResult table = system().Reservo({"status"});
    ASSERT_EQ(table.exit_code, 0) << table.output;
    std::vector<std::string> lines = Lines(table.output);
    ASSERT_GE(lines.size(), 6u);
    EXPECT_NE(lines[0].find("HEALTH"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("UPTIME"), std::string::npos) << lines[0];
    static const std::regex kRow(R"(^vaccine\s+\S+\s+ready\s+UP\s+1/1\s+\d+\s+\d+\s+(\d+s|\d+m\d\ds)\s+\d+\s+http)");
    for (size_t i = 1; i < lines.size(); ++i) EXPECT_TRUE(std::regex_search(lines[i], kRow)) << lines[i];

    bj::object status = system().Status();
    ASSERT_TRUE(status.contains("processes"));
    for (const auto& p : status["processes"].as_array()) {
        const bj::object& o = p.as_object();
        EXPECT_EQ(Str(o, "health"), "UP") << bj::serialize(o);
        EXPECT_GE(Int(o, "uptimeSeconds"), 0) << bj::serialize(o);
        EXPECT_EQ(Str(o, "state"), "ready") << "the existing fields stay";
    }

    StopService("mypage");
    bj::object stopped = system().ServiceStatus("mypage");
    EXPECT_TRUE(stopped["health"].is_null()) << bj::serialize(stopped);
    EXPECT_TRUE(stopped["uptimeSeconds"].is_null());
}

TEST_F(ReservoCliE2E, ConfigShowsOverridesWithTheirSourceAndMasksSecrets) {
    RunResult config = e2e::Run({ReservoBinary(), "config", "vaccine"}, {{"RESERVO_GATEWAY_TIMEOUT_MS", "7000"}});
    ASSERT_EQ(config.exit_code, 0) << config.output;
    EXPECT_TRUE(std::regex_search(
        config.output, std::regex(R"(\ngateway\.timeout-ms\s+7000\s+environment RESERVO_GATEWAY_TIMEOUT_MS\n)")))
        << config.output;
    EXPECT_TRUE(std::regex_search(config.output,
                                  std::regex(R"(\ngateway\.port\s+8080\s+default \(embedded vaccine YAML\)\n)")));

    RunResult secrets = e2e::Run({ReservoBinary(), "config", "animal-hospital", "--json"},
                                 {{"RESERVO_SERVICES_OAUTH_USERS_OWNER_PASSWORD", "topsecret-42"},
                                  {"RESERVO_STORE_POSTGRES_URL", "postgresql://app:pg-pass-7@db/reservo"}});
    ASSERT_EQ(secrets.exit_code, 0) << secrets.output;
    EXPECT_EQ(secrets.output.find("topsecret-42"), std::string::npos) << secrets.output;
    EXPECT_EQ(secrets.output.find("pg-pass-7"), std::string::npos);
    EXPECT_EQ(secrets.output.find("reservo-web-secret"), std::string::npos) << "the YAML's own secrets too";
    bj::value json = bj::parse(secrets.output);
    bool masked = false;
    for (const auto& s : json.at("settings").as_array()) {
        if (s.at("key").as_string() == "services.oauth.users.owner.password") {
            masked = s.at("value").as_string() == "***" &&
                     s.at("source").as_string() == "environment RESERVO_SERVICES_OAUTH_USERS_OWNER_PASSWORD";
        }
    }
    EXPECT_TRUE(masked) << secrets.output;

    RunResult unknown = e2e::Run({ReservoBinary(), "config", "no-such-system"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.output.find("unknown system 'no-such-system'"), std::string::npos) << unknown.output;
}

TEST_F(ReservoCliE2E, CompletionIsValidBashAndCompletesServices) {
    RunResult script = e2e::Run({ReservoBinary(), "completion", "bash"});
    ASSERT_EQ(script.exit_code, 0) << script.output;
    std::string path = fs::temp_directory_path() / ("reservo-completion-" + std::to_string(getpid()) + ".bash");
    std::ofstream(path) << script.output;
    RunResult syntax = e2e::Run({"/bin/bash", "-n", path});
    EXPECT_EQ(syntax.exit_code, 0) << syntax.output;

    auto complete = [&](const std::string& words, int cword) {
        RunResult r = e2e::Run({"/bin/bash", "-c",
                                "source " + path + "; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                                    "; _reservo; echo \"${COMPREPLY[*]}\""});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.output;
    };
    EXPECT_EQ(complete("reservo stop vaccine/res", 2), "vaccine/reservation\n");
    std::string services = complete("reservo restart vac", 2);
    EXPECT_NE(services.find("vaccine/mypage"), std::string::npos) << services;
    EXPECT_NE(services.find("vaccine-approval/"), std::string::npos) << services;
    EXPECT_EQ(complete("reservo lo", 1), "logs\n");
    EXPECT_EQ(complete("reservo config vacc", 2), "vaccine vaccine-approval\n");
    EXPECT_NE(complete("reservo logs --f", 2).find("--follow"), std::string::npos);
    EXPECT_EQ(complete("reservo scale vaccine/mypage ", 3), "\n") << "N is not a service";
    fs::remove(path);

    EXPECT_EQ(e2e::Run({ReservoBinary(), "completion", "fish"}).exit_code, 2);
}

TEST_F(ReservoCliE2E, PurgeRefusesADirectoryNotOursOrStillInUse) {
    std::string dir = fs::temp_directory_path() / ("reservo-purge-" + std::to_string(getpid()));
    fs::create_directories(dir);
    RunResult foreign = e2e::Run({ReservoBinary(), "down", "--purge", "--data", dir});
    EXPECT_NE(foreign.exit_code, 0);
    EXPECT_NE(foreign.output.find("not a data directory"), std::string::npos) << foreign.output;
    EXPECT_TRUE(fs::exists(dir));

    // A state file naming a live process (this test) as its supervisor.
    std::ofstream(dir + "/reservo.state") << R"({"supervisorPid":)" << getpid() << R"(,"processes":[]})";
    RunResult busy = e2e::Run({ReservoBinary(), "down", "--purge", "--data", dir});
    EXPECT_NE(busy.exit_code, 0);
    EXPECT_NE(busy.output.find("still runs"), std::string::npos) << busy.output;
    EXPECT_TRUE(fs::exists(dir + "/reservo.state"));
    fs::remove_all(dir);
}

// Last: it takes the suite's system down for good.
TEST_F(ReservoCliE2E, ZDownPurgeRemovesTheDataDirectory) {
    ASSERT_TRUE(fs::exists(system().data_dir() + "/vaccine/logs/gateway.log"));
    RunResult purge = system().Reservo({"down", "--purge"}, Millis(60000));
    ASSERT_EQ(purge.exit_code, 0) << purge.output;
    EXPECT_NE(purge.output.find("Removed " + system().data_dir()), std::string::npos) << purge.output;
    EXPECT_FALSE(fs::exists(system().data_dir()));
    RunResult again = system().Reservo({"down", "--purge"});
    EXPECT_NE(again.exit_code, 0) << "nothing left to remove";
}

}  // namespace
}  // namespace reservo::e2e
