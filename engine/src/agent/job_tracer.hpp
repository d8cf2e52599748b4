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

#include <stasis/held_process.hpp>

#include <sys/types.h>

#include <functional>
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

struct Hold {
    std::vector<HeldSignal> held;  // guarded signals held back, for deliver()
    // Set when a task did not stop by the deadline: it says which and why.
    // That one goes on as soon as it stops; the others stay stopped.
    std::optional<std::string> unstoppable;
    // The processes stopped, for DumpOptions::held.
    std::map<pid_t, HeldProcess> processes;
};

class JobTracer {
public:
    explicit JobTracer(pid_t root) : root_(root) {}
    // Ends the job (kill_job) when the agent ends by itself. Killed, the
    // agent leaves its job running: the kernel lets go of every task, and
    // one in the middle of a checkpoint finds its way home (docs/engine.md).
    ~JobTracer() { kill_job(); }
    JobTracer(const JobTracer&) = delete;
    JobTracer& operator=(const JobTracer&) = delete;

    [[nodiscard]] pid_t root() const { return root_; }

    // Called with a process's pid when its address space ends: it execs,
    // or a task of its ends (its pid may name another process later).
    void on_address_space_end(std::function<void(pid_t)> f) { on_address_space_end_ = std::move(f); }

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

    // Stops every task and keeps it stopped, still traced, so that a dump
    // works through this hold (DumpOptions::held) and the job is never
    // without its guard. Held signals are taken out, to be delivered by
    // deliver() once the job runs again; any other signal that arrives
    // meanwhile is delivered at once and its task stopped again. Gives up at
    // the deadline on a task that does not stop.
    Hold hold_all(EventSource& events, const FreezeDeadline& deadline);
    // Lets every task stopped by hold_all go on as it was (a task in a group
    // stop returns to it), and holds any thread a dump had to attach by
    // itself and let go of (attach_all).
    void resume_held();

    // Sends each held signal again to its thread; the guard passes it on.
    static void deliver(const std::vector<HeldSignal>& signals);

    // SIGKILLs every process the guard holds.
    void kill_job() const;

private:
    enum class State { running, stopped, listening };
    struct Task {
        pid_t tgid = 0;
        State state = State::running;
        int group_stop = 0;  // held while in a group stop by this signal
        bool starting = false;  // attached at birth: its first stop just starts it
    };
    using TaskMap = std::map<pid_t, Task>;
    enum class Sender { outside, job, agent };

    bool seize(pid_t tid, pid_t tgid);
    void warn_unguarded(pid_t tgid, const std::string& why);
    TaskMap::iterator task_of(pid_t tid);
    void forget(pid_t tid);
    void address_space_ended(pid_t pid) const;
    void on_signal_delivery(TaskMap::iterator task, int signo);
    [[nodiscard]] Sender sender_of(pid_t tid) const;
    void run_on(TaskMap::iterator task, int signo);
    void stay_or_resume(TaskMap::iterator task);
    void listen(TaskMap::iterator task, int signo);
    void interrupt_all();
    [[nodiscard]] bool all_stopped() const;
    [[nodiscard]] Hold take_hold(const FreezeDeadline& deadline);

    pid_t root_;
    pid_t stand_in_ = 0;
    TaskMap tasks_;
    std::vector<HeldSignal> held_;
    std::set<pid_t> warned_;
    std::map<int, bool> last_from_job_;  // guarded signal -> sent by the job itself
    std::optional<int> root_status_;
    bool holding_ = false;
    std::function<void(pid_t)> on_address_space_end_;
};

// "SIGTERM+SIGINT to the job": the signals held, each named once.
std::string describe_held(const std::vector<HeldSignal>& held);

// Kills what is left of an ended job and reaps it: a zombie handed on to an
// init that is slow to reap (a container's) keeps a scheduler's step, and so
// the job, from ending. Gives up after a few seconds.
void end_rest_of_job(const JobTracer& tracer);

}  // namespace stasis::agent
