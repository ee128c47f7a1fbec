#include "kit/store/local_postgres.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "kit/core/log.hpp"

namespace reservo::store {
namespace {

namespace fs = std::filesystem;

// Runs a command to its end with its output appended to `log_file`; as `user` when given.
Status Run(std::vector<std::string> argv, const std::string& log_file, const std::string& user) {
    if (!user.empty()) argv.insert(argv.begin(), {"runuser", "-u", user, "--"});
    pid_t pid = ::fork();
    if (pid < 0) return Fail(Code::kUnavailable, "cannot fork to run " + argv.front());
    if (pid == 0) {
        int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
            ::close(fd);
        }
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok();
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Fail(Code::kUnavailable,
                cmd + " failed (exit " + std::to_string(WEXITSTATUS(status)) + "); see " + log_file);
}

// As root, PostgreSQL runs as `postgres`: it must own the directory and reach it through every parent.
Result<std::string> ServerUser(const std::string& dir) {
    if (::geteuid() != 0) return std::string();
    const passwd* pw = ::getpwnam("postgres");
    if (!pw) return Fail(Code::kUnavailable, "running as root, but there is no `postgres` user to run PostgreSQL as");
    for (fs::path p = fs::path(dir).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH)) {
            ::chmod(p.c_str(), st.st_mode | S_IXOTH);  // traversable, not readable
            log::Info("made the directory traversable for the postgres user", {{"dir", p.string()}});
        }
    }
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (::lchown(entry.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) break;
    }
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        return Fail(Code::kUnavailable, "cannot give " + dir + " to the postgres user");
    return std::string("postgres");
}

}  // namespace

Result<std::string> LocalPostgres::BinDir() {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        if (fs::exists(entry.path() / "bin" / "pg_ctl")) found.push_back(entry.path() / "bin");
    }
    if (found.empty())
        return Fail(Code::kUnavailable,
                    "no PostgreSQL server binaries in /usr/lib/postgresql: install Debian's postgresql-15, or give "
                    "store.postgres.url (RESERVO_STORE_POSTGRES_URL)");
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
    });
    return found.back().string();
}

Result<LocalPostgres> LocalPostgres::Start(const std::string& dir) {
    auto pg = In(dir);
    if (!pg) return Fail(pg.error());
    if (auto st = pg->StartServer(); !st) return Fail(st.error());
    return pg;
}

Result<LocalPostgres> LocalPostgres::In(const std::string& dir) {
    auto bin = BinDir();
    if (!bin) return Fail(bin.error());
    std::error_code ec;
    const std::string abs = fs::absolute(dir, ec).lexically_normal().string();
    fs::create_directories(abs + "/run", ec);
    if (ec) return Fail(Code::kUnavailable, "cannot create " + abs + ": " + ec.message());
    if (abs.size() + 20 > 107) return Fail(Code::kInvalidArgument, "directory path too long for a socket: " + abs);
    const std::string url = "postgresql:///postgres?host=" + abs + "/run&port=5432&user=postgres";
    return LocalPostgres(abs, *bin, url);
}

Status LocalPostgres::StartServer() const {
    const std::string log_file = dir_ + "/server.log";
    std::ofstream(log_file, std::ios::app).flush();  // before ServerUser hands everything to the server's user
    auto user = ServerUser(dir_);
    if (!user) return Fail(user.error());
    const std::string data = dir_ + "/data";
    if (!fs::exists(data + "/PG_VERSION")) {
        log::Info("creating a PostgreSQL cluster", {{"dir", data}});
        if (auto st = Run({bin_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale",
                           "--no-sync"},
                          log_file, *user);
            !st)
            return st;
    }
    if (Pid() > 0) return Ok();
    const std::string options = "-k " + dir_ + "/run -c listen_addresses= -p 5432";
    return Run({bin_ + "/pg_ctl", "-D", data, "-l", log_file, "-w", "-t", "30", "-o", options, "start"}, log_file,
               *user);
}

Status LocalPostgres::Stop() const {
    if (Pid() == 0) return Ok();
    auto user = ServerUser(dir_);
    if (!user) return Fail(user.error());
    return Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"}, dir_ + "/server.log", *user);
}

int LocalPostgres::Pid() const {
    std::ifstream in(dir_ + "/data/postmaster.pid");
    int pid = 0;
    if (!(in >> pid) || pid <= 0) return 0;
    return ::kill(pid, 0) == 0 || errno == EPERM ? pid : 0;
}

}  // namespace reservo::store
