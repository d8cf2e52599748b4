#pragma once
// Everything the agent waits for, in one place: state changes of the job's
// tasks (waitpid with __WALL: ptrace stops, exits) and the guarded signals
// sent to the agent itself (a signalfd). Those signals and SIGCHLD stay
// blocked while the EventSource lives, so none is lost between two waits.
#include <stasis/unique_fd.hpp>

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <vector>

namespace stasis::agent {

using Clock = std::chrono::steady_clock;

struct TaskEvent {
    pid_t pid = 0;
    int status = 0;  // as waitpid reports it
};

struct AgentSignal {
    int signo = 0;
    pid_t sender = 0;
};

class EventSource {
public:
    EventSource();
    ~EventSource();  // restores the signal mask
    EventSource(const EventSource&) = delete;
    EventSource& operator=(const EventSource&) = delete;

    // The mask the agent had before; a job started by it gets this one.
    [[nodiscard]] const sigset_t& original_mask() const { return original_mask_; }

    // The next state change of a task. Returns nothing once the deadline
    // passes, or as soon as a signal to the agent arrives (see take_signals).
    std::optional<TaskEvent> next(Clock::time_point deadline = Clock::time_point::max());

    // Signals to the agent received so far, oldest first.
    std::vector<AgentSignal> take_signals();
    // Whether take_signals would give any.
    [[nodiscard]] bool has_signals() const { return !signals_.empty(); }

private:
    bool drain_signalfd();

    sigset_t original_mask_{};
    UniqueFd fd_;
    std::vector<AgentSignal> signals_;
};

}  // namespace stasis::agent
