#pragma once
// The signal guard: the agent's ptrace hold on every thread of every process
// of the job (all descendants of the agent). Seized with clone/fork/vfork/exec
// tracing, so new threads and children are held from their first
// instruction. A guarded signal sent from outside the job stops at
// signal-delivery and is held there until the agent has checkpointed; every
// other signal passes at once and unchanged, and group-stops are kept with
// PTRACE_LISTEN as if nobody traced the job.
#include "agent/event_source.hpp"
#include "process/freeze_deadline.hpp"

#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace stasis::agent {

struct HeldSignal {
    pid_t tid = 0;
    pid_t tgid = 0;
    int signo = 0;
};

struct Released {
    std::vector<HeldSignal> held;  // guarded signals held back, for deliver()
    // Set when a task did not stop by the deadline: it says which and why.
    // The others run on, let go; that one is still held.
    std::optional<std::string> unstoppable;
};

class JobTracer {
public:
    explicit JobTracer(pid_t root) : root_(root) {}
    // Ends the job (kill_job), as PTRACE_O_EXITKILL would when the agent
    // ends: a job never runs on without its guard unnoticed.
    ~JobTracer() { kill_job(); }
    JobTracer(const JobTracer&) = delete;
    JobTracer& operator=(const JobTracer&) = delete;

    [[nodiscard]] pid_t root() const { return root_; }

    // A child of the agent whose end carries the root's exit status (the
    // init of a restored tree's PID namespace): the root's own exit may be
    // taken by a checkpoint that held it just then, this one never is.
    void stand_in_for_root(pid_t child) { stand_in_ = child; }
    [[nodiscard]] bool has_stand_in() const { return stand_in_ != 0; }

    // Seizes every thread of the job not held yet. A process that cannot be
    // traced (already traced by another) is named once and runs unguarded.
    void attach_all();

    // Acts on one state change of a task: follows new tasks, passes signals
    // on, keeps group-stops, holds guarded signals.
    void handle(const TaskEvent& event);

    [[nodiscard]] const std::vector<HeldSignal>& held_signals() const { return held_; }
    // Whether pid is a process of the job that the guard holds.
    [[nodiscard]] bool in_job(pid_t pid) const;
    // The pids of the job's processes the guard holds.
    [[nodiscard]] std::set<pid_t> processes() const;
    // Whether the last signo that reached the job came from the job itself
    // (false when it came from outside, or slipped past the guard while a
    // checkpoint was being written).
    [[nodiscard]] bool last_sent_by_job(int signo) const;
    // The wait status of the job's root once it has ended.
    [[nodiscard]] std::optional<int> root_status() const { return root_status_; }

    // Stops and detaches every task, so that another tracer (stasis::dump)
    // can attach. Held signals are suppressed and returned, to be delivered
    // again by deliver() once the job is held again; other signals that
    // arrive meanwhile are handed over at the detach. Gives up at the
    // deadline on a task that does not stop, which then resumes as soon as
    // it stops.
    Released release_all(EventSource& events, const FreezeDeadline& deadline);

    // Sends each held signal again to its thread; the guard passes it on.
    static void deliver(const std::vector<HeldSignal>& signals);

    // SIGKILLs every process the guard holds.
    void kill_job() const;

private:
    enum class State { running, stopped, listening };
    struct Task {
        pid_t tgid = 0;
        State state = State::running;
        int pass_signal = 0;  // a signal to hand over when detaching
        bool starting = false;  // attached at birth: its first stop just starts it
    };
    using TaskMap = std::map<pid_t, Task>;
    enum class Sender { outside, job, agent };

    bool seize(pid_t tid, pid_t tgid);
    void warn_unguarded(pid_t tgid, const std::string& why);
    TaskMap::iterator task_of(pid_t tid);
    void forget(pid_t tid);
    void on_signal_delivery(TaskMap::iterator task, int signo);
    [[nodiscard]] Sender sender_of(pid_t tid) const;
    void resume(TaskMap::iterator task, int signo);
    void listen(TaskMap::iterator task);
    void interrupt_all();
    void detach_stopped();

    pid_t root_;
    pid_t stand_in_ = 0;
    TaskMap tasks_;
    std::vector<HeldSignal> held_;
    std::set<pid_t> warned_;
    std::map<int, bool> last_from_job_;  // guarded signal -> sent by the job itself
    std::optional<int> root_status_;
    bool stopping_ = false;
};

// "SIGTERM+SIGINT to the job": the signals held, each named once.
std::string describe_held(const std::vector<HeldSignal>& held);

// Kills what is left of an ended job and reaps it: a zombie handed on to an
// init that is slow to reap (a container's) keeps a scheduler's step, and so
// the job, from ending. Gives up after a few seconds.
void end_rest_of_job(const JobTracer& tracer);

}  // namespace stasis::agent
