#include "agent/job_launch.hpp"

#include "error.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace stasis::agent {

namespace {

constexpr int exit_cannot_run = 127;

// In the child. The agent is single-threaded when it launches, so the
// child may use any function until it execs.
[[noreturn]] void exec_when_released(UniqueFd go, const std::vector<std::string>& command, const sigset_t& mask)
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
    ::execvp(argv[0], argv.data());
    std::string line = "stasis run: cannot run " + command.front() + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(exit_cannot_run);
}

}  // namespace

pid_t launch_job(const std::vector<std::string>& command, const sigset_t& mask,
                 const std::function<void(pid_t)>& before_exec)
{
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
        exec_when_released(std::move(go_read), command, mask);
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
