#include "agent/event_source.hpp"

#include "agent/guarded_signals.hpp"
#include "core/error.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <climits>

namespace stasis::agent {

EventSource::EventSource()
{
    sigset_t blocked;
    ::sigemptyset(&blocked);
    ::sigaddset(&blocked, SIGCHLD);
    for (int signo : guarded_signals) {
        ::sigaddset(&blocked, signo);
    }
    // A file size limit then fails a checkpoint's writes with EFBIG instead
    // of killing the agent.
    ::sigaddset(&blocked, SIGXFSZ);
    if (::pthread_sigmask(SIG_BLOCK, &blocked, &original_mask_) != 0) {
        throw Error("cannot block the agent's signals");
    }
    ::sigdelset(&blocked, SIGXFSZ);
    fd_.reset(::signalfd(-1, &blocked, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_.valid()) {
        int err = errno;
        ::pthread_sigmask(SIG_SETMASK, &original_mask_, nullptr);
        throw sys_error("cannot create a signalfd", err);
    }
}

EventSource::~EventSource()
{
    // A write that failed with EFBIG left SIGXFSZ pending: unblocked, it
    // would kill the agent on its way out.
    sigset_t xfsz;
    ::sigemptyset(&xfsz);
    ::sigaddset(&xfsz, SIGXFSZ);
    const timespec now{};
    while (::sigtimedwait(&xfsz, nullptr, &now) == SIGXFSZ) {
    }
    ::pthread_sigmask(SIG_SETMASK, &original_mask_, nullptr);
}

std::optional<TaskEvent> EventSource::next(Clock::time_point deadline)
{
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, __WALL | WNOHANG);
        if (pid > 0) {
            return TaskEvent{pid, status};
        }
        int timeout_ms = -1;
        if (deadline != Clock::time_point::max()) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) {
                return std::nullopt;
            }
            timeout_ms = left > INT_MAX ? INT_MAX : static_cast<int>(left);
        }
        pollfd p{fd_.get(), POLLIN, 0};
        int ready = ::poll(&p, 1, timeout_ms);
        if (ready < 0 && errno != EINTR) {
            throw sys_error("waiting for the job");
        }
        if (ready > 0 && drain_signalfd()) {
            return std::nullopt;
        }
    }
}

// Returns whether a signal other than SIGCHLD arrived.
bool EventSource::drain_signalfd()
{
    bool arrived = false;
    signalfd_siginfo info{};
    while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo != SIGCHLD) {
            signals_.push_back({static_cast<int>(info.ssi_signo), static_cast<pid_t>(info.ssi_pid)});
            arrived = true;
        }
    }
    return arrived;
}

std::vector<AgentSignal> EventSource::take_signals()
{
    return std::exchange(signals_, {});
}

}  // namespace stasis::agent
