#include "agent/job_launch.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace stasis::agent {

namespace {

constexpr int exit_cannot_run = 127;

bool is_executable_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The program execvp would run, or an Error saying why there is none.
std::string find_program(const std::string& name)
{
    if (name.find('/') != std::string::npos) {
        if (!is_executable_file(name)) {
            int err = ::access(name.c_str(), F_OK) == 0 ? EACCES : ENOENT;
            throw sys_error("cannot run " + name, err);
        }
        return name;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/bin:/usr/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        auto end = std::min(dirs.find(':', start), dirs.size());
        auto dir = dirs.substr(start, end - start);
        auto candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (is_executable_file(candidate)) {
            return candidate;
        }
        start = end + 1;
    }
    throw Error("cannot run " + name + ": command not found in PATH");
}

// In the child. The agent is single-threaded when it launches, so the
// child may use any function until it execs.
[[noreturn]] void exec_when_released(UniqueFd go, const std::string& program, const std::vector<std::string>& command,
                                     const sigset_t& mask)
{
    char byte = 0;
    while (::read(go.get(), &byte, 1) < 0 && errno == EINTR) {
    }
    go.reset();
    std::vector<char*> argv;
    for (const auto& arg : command) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    ::execv(program.c_str(), argv.data());
    std::string line = "stasis run: cannot run " + command.front() + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(exit_cannot_run);
}

}  // namespace

pid_t launch_job(const std::vector<std::string>& command, const sigset_t& mask,
                 const std::function<void(pid_t)>& before_exec)
{
    auto program = find_program(command.front());
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) {
        throw sys_error("cannot start the job: pipe");
    }
    UniqueFd go_read(fds[0]);
    UniqueFd go_write(fds[1]);
    pid_t child = ::fork();
    if (child < 0) {
        throw sys_error("cannot start the job: fork");
    }
    if (child == 0) {
        go_write.reset();
        exec_when_released(std::move(go_read), program, command, mask);
    }
    go_read.reset();
    try {
        before_exec(child);
    } catch (...) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        throw;
    }
    return child;  // go_write closes here: the child reads EOF and execs
}

}  // namespace stasis::agent
