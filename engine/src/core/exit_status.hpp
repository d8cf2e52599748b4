#pragma once
// How a shell reports the end of a process, which is what stasis reports for
// a job it restored or ran: its exit code, or 128 + the signal that ended it;
// and waiting for that end.
#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>

namespace stasis {

inline constexpr int signal_exit_base = 128;

inline int shell_exit_status(int wait_status)
{
    return WIFSIGNALED(wait_status) ? signal_exit_base + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

// waitpid(2) that goes on after a signal interrupts it; async-signal-safe.
inline pid_t waitpid_uninterrupted(pid_t pid, int& status, int options)
{
    pid_t ended = 0;
    do {
        ended = ::waitpid(pid, &status, options);
    } while (ended < 0 && errno == EINTR);
    return ended;
}

}  // namespace stasis
