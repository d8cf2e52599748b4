#include "agent/job_tracer.hpp"

#include "agent/guarded_signals.hpp"
#include "agent/run_log.hpp"
#include "core/error.hpp"
#include "core/proc.hpp"

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace stasis::agent {

namespace {

// While the job is being stopped for a checkpoint: how often tasks that
// ended without telling the agent are looked for.
constexpr auto stop_recheck = std::chrono::milliseconds(100);

// No PTRACE_O_EXITKILL: the job must outlive a killed agent. TRACESYSGOOD
// is for the dump, which injects system calls through this hold.
constexpr long trace_options = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                               PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD;

std::string field_or_empty(pid_t pid, const std::string& key)
{
    try {
        return proc::status_field(pid, key);
    } catch (const Error&) {
        return "";  // gone meanwhile
    }
}

std::string comm_of(pid_t pid)
{
    auto name = field_or_empty(pid, "Name");
    return name.empty() ? "?" : name;
}

pid_t tgid_of(pid_t tid)
{
    auto tgid = field_or_empty(tid, "Tgid");
    return tgid.empty() ? tid : static_cast<pid_t>(std::stol(tgid));
}

bool is_zombie(pid_t tid)
{
    return field_or_empty(tid, "State").starts_with("Z");
}

// A task that is gone, or a zombie, never stops again: its exit may have
// been taken by someone else (a checkpoint that held it, a namespace's init).
bool has_ended(pid_t tgid, pid_t tid)
{
    return (::syscall(SYS_tgkill, tgid, tid, 0) < 0 && errno == ESRCH) || is_zombie(tid);
}

// Every process below the agent: the agent is a child subreaper, so even
// orphaned processes of the job stay below it.
std::vector<pid_t> job_processes()
{
    std::vector<pid_t> found;
    std::vector<pid_t> parents{::getpid()};
    while (!parents.empty()) {
        pid_t parent = parents.back();
        parents.pop_back();
        std::vector<pid_t> tids;
        try {
            tids = proc::threads(parent);
        } catch (const Error&) {
            continue;  // ended meanwhile
        }
        for (pid_t tid : tids) {
            std::ifstream in("/proc/" + std::to_string(parent) + "/task/" + std::to_string(tid) + "/children");
            pid_t child = 0;
            while (in >> child) {
                found.push_back(child);
                parents.push_back(child);
            }
        }
    }
    return found;
}

bool is_group_stop(int signo)
{
    return signo == SIGSTOP || signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

}  // namespace

void JobTracer::kill_job() const
{
    std::set<pid_t> processes;
    for (const auto& [tid, task] : tasks_) {
        processes.insert(task.tgid);
    }
    for (pid_t tgid : processes) {
        ::kill(tgid, SIGKILL);
    }
}

bool JobTracer::in_job(pid_t pid) const
{
    return std::any_of(tasks_.begin(), tasks_.end(), [pid](const auto& t) { return t.second.tgid == pid; });
}

std::set<pid_t> JobTracer::processes() const
{
    std::set<pid_t> pids;
    for (const auto& [tid, task] : tasks_) {
        pids.insert(task.tgid);
    }
    return pids;
}

void JobTracer::attach_all()
{
    // A task may create others while we attach; repeat until a listing shows
    // none we do not hold (those created by held tasks are held already).
    bool added = true;
    while (added) {
        added = false;
        for (pid_t process : job_processes()) {
            std::vector<pid_t> tids;
            try {
                tids = proc::threads(process);
            } catch (const Error&) {
                continue;
            }
            for (pid_t tid : tids) {
                if (!tasks_.contains(tid) && seize(tid, process)) {
                    added = true;
                }
            }
        }
    }
}

bool JobTracer::seize(pid_t tid, pid_t tgid)
{
    if (::ptrace(PTRACE_SEIZE, tid, nullptr, trace_options) == 0) {
        tasks_.emplace(tid, Task{tgid});
        return true;
    }
    int err = errno;
    auto tracer = field_or_empty(tid, "TracerPid");
    if (err == ESRCH || tracer.empty() || is_zombie(tid)) {
        return false;  // ended meanwhile
    }
    if (tracer == std::to_string(::getpid())) {
        tasks_.try_emplace(tid, Task{.tgid = tgid, .starting = true});  // a new task of a held one
        return true;
    }
    if (tracer != "0") {
        pid_t other = static_cast<pid_t>(std::stol(tracer));
        warn_unguarded(tgid, "it is already traced by pid " + tracer + " (" + comm_of(other) + ")");
    } else {
        warn_unguarded(tgid, std::string("ptrace refused: ") + std::strerror(err));
    }
    return false;
}

void JobTracer::warn_unguarded(pid_t tgid, const std::string& why)
{
    if (warned_.insert(tgid).second) {
        run_log().warn("cannot guard process {} ({}): {}; it runs without the signal guard", tgid, comm_of(tgid),
                       why);
    }
}

JobTracer::TaskMap::iterator JobTracer::task_of(pid_t tid)
{
    auto it = tasks_.find(tid);
    if (it == tasks_.end()) {
        // A new task may report its first stop before its creator reports
        // the clone or fork.
        it = tasks_.emplace(tid, Task{.tgid = tgid_of(tid), .starting = true}).first;
    }
    return it;
}

void JobTracer::address_space_ended(pid_t pid) const
{
    if (on_address_space_end_) {
        on_address_space_end_(pid);
    }
}

void JobTracer::forget(pid_t tid)
{
    address_space_ended(tid);
    tasks_.erase(tid);
    std::erase_if(held_, [tid](const HeldSignal& h) { return h.tid == tid; });
}

void JobTracer::handle(const TaskEvent& event)
{
    if (WIFEXITED(event.status) || WIFSIGNALED(event.status)) {
        forget(event.pid);
        if (event.pid == root_ || (event.pid == stand_in_ && !root_status_)) {
            root_status_ = event.status;
        }
        return;
    }
    if (!WIFSTOPPED(event.status)) {
        return;
    }
    auto task = task_of(event.pid);
    int signo = WSTOPSIG(event.status);
    unsigned long message = 0;
    switch (event.status >> 16) {
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
        if (::ptrace(PTRACE_GETEVENTMSG, event.pid, nullptr, &message) == 0) {
            task_of(static_cast<pid_t>(message));
        }
        run_on(task, 0);
        break;
    case PTRACE_EVENT_EXEC:
        // A thread other than the leader that execs takes over the
        // leader's tid; its old tid is gone.
        if (::ptrace(PTRACE_GETEVENTMSG, event.pid, nullptr, &message) == 0 &&
            static_cast<pid_t>(message) != event.pid) {
            forget(static_cast<pid_t>(message));
        }
        address_space_ended(event.pid);
        run_on(task, 0);
        break;
    case PTRACE_EVENT_STOP:
        if (is_group_stop(signo) && !task->second.starting) {
            listen(task, signo);
        } else {
            if (task->second.starting) {
                // Seized by a dump that gave up before it stopped (a
                // thread the hold did not have), it has the dump's options,
                // not the guard's.
                ::ptrace(PTRACE_SETOPTIONS, event.pid, nullptr, trace_options);
                task->second.starting = false;
            }
            stay_or_resume(task);  // a new task's first stop, or our interrupt
        }
        break;
    case 0:
        on_signal_delivery(task, signo);
        break;
    default:
        run_on(task, 0);
    }
}

// The job's own signals among its processes (a pool terminating its
// workers, a program signalling itself) and those the agent delivers again
// are no reason to checkpoint.
void JobTracer::on_signal_delivery(TaskMap::iterator task, int signo)
{
    if (!is_guarded(signo)) {
        run_on(task, signo);
        return;
    }
    auto sender = sender_of(task->first);
    if (sender != Sender::agent) {
        last_from_job_[signo] = sender == Sender::job;
    }
    if (sender != Sender::outside) {
        run_on(task, signo);
        return;
    }
    held_.push_back({task->first, task->second.tgid, signo});
    task->second.state = State::stopped;
}

JobTracer::Sender JobTracer::sender_of(pid_t tid) const
{
    siginfo_t info{};
    if (::ptrace(PTRACE_GETSIGINFO, tid, nullptr, &info) < 0) {
        return Sender::job;  // gone meanwhile: nothing to hold
    }
    if (info.si_code > 0) {
        return Sender::outside;  // the kernel: a hangup, a CPU time limit
    }
    if (info.si_pid == ::getpid()) {
        return Sender::agent;
    }
    return in_job(info.si_pid) ? Sender::job : Sender::outside;
}

bool JobTracer::last_sent_by_job(int signo) const
{
    auto it = last_from_job_.find(signo);
    return it != last_from_job_.end() && it->second;
}

// A task stopped in the middle of something (a fork or an exec under way, a
// signal to pass on) goes on; while the job is held it is stopped again
// right after, at a stop where nothing is under way, which is all a dump
// may work from.
void JobTracer::run_on(TaskMap::iterator task, int signo)
{
    task->second.group_stop = 0;
    ::ptrace(PTRACE_CONT, task->first, nullptr, signo);  // ESRCH: it was killed; its exit follows
    task->second.state = State::running;
    if (holding_) {
        ::ptrace(PTRACE_INTERRUPT, task->first, nullptr, nullptr);
    }
}

// A task at such a stop (an interrupt's, a new task's first) stays there
// while the job is held, and goes on otherwise.
void JobTracer::stay_or_resume(TaskMap::iterator task)
{
    task->second.group_stop = 0;
    if (holding_) {
        task->second.state = State::stopped;
        return;
    }
    run_on(task, 0);
}

void JobTracer::listen(TaskMap::iterator task, int signo)
{
    if (holding_) {
        task->second.state = State::stopped;
        task->second.group_stop = signo;
        return;
    }
    ::ptrace(PTRACE_LISTEN, task->first, nullptr, nullptr);
    task->second.state = State::listening;
}

void JobTracer::interrupt_all()
{
    for (auto it = tasks_.begin(); it != tasks_.end();) {
        // Includes a leader that exited before its threads.
        if (it->second.state != State::stopped && has_ended(it->second.tgid, it->first)) {
            address_space_ended(it->first);
            it = tasks_.erase(it);
            continue;
        }
        if (it->second.state != State::stopped) {
            ::ptrace(PTRACE_INTERRUPT, it->first, nullptr, nullptr);
        }
        ++it;
    }
}

bool JobTracer::all_stopped() const
{
    return std::all_of(tasks_.begin(), tasks_.end(), [](const auto& t) { return t.second.state == State::stopped; });
}

Hold JobTracer::hold_all(EventSource& events, const FreezeDeadline& deadline)
{
    holding_ = true;
    interrupt_all();
    while (!all_stopped() && Clock::now() < deadline.at) {
        if (auto event = events.next(std::min(Clock::now() + stop_recheck, deadline.at))) {
            handle(*event);
        } else {
            interrupt_all();  // forgets what ended without an event for us
        }
    }
    return take_hold(deadline);
}

Hold JobTracer::take_hold(const FreezeDeadline& deadline)
{
    Hold hold{std::exchange(held_, {}), std::nullopt, {}};
    for (const auto& [tid, task] : tasks_) {
        if (task.state != State::stopped) {
            if (!hold.unstoppable) {
                hold.unstoppable = deadline.missed_by(task.tgid, tid).what();
            }
            continue;
        }
        auto& process = hold.processes[task.tgid];
        process.tids.push_back(tid);
        if (tid == task.tgid) {
            process.stopped_by = task.group_stop;
        }
    }
    return hold;
}

void JobTracer::resume_held()
{
    holding_ = false;
    for (auto& [tid, task] : tasks_) {
        if (task.state != State::stopped) {
            continue;  // the one that did not stop: it goes on once it does (handle)
        }
        if (task.group_stop != 0) {
            // Its last stop may be the dump's: interrupted, it reports its
            // group stop again, and listens (handle).
            ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
        }
        // A held signal is dropped here; deliver() sends it again.
        ::ptrace(PTRACE_CONT, tid, nullptr, 0);
        task.state = State::running;
        task.group_stop = 0;
    }
    attach_all();
}

void JobTracer::deliver(const std::vector<HeldSignal>& signals)
{
    for (const auto& h : signals) {
        if (::syscall(SYS_tgkill, h.tgid, h.tid, h.signo) < 0) {
            ::kill(h.tgid, h.signo);  // that thread is gone; its process takes it
        }
    }
}

std::string describe_held(const std::vector<HeldSignal>& held)
{
    std::vector<int> signos;
    for (const auto& h : held) {
        if (std::find(signos.begin(), signos.end(), h.signo) == signos.end()) {
            signos.push_back(h.signo);
        }
    }
    std::string names;
    for (int s : signos) {
        names += (names.empty() ? "" : "+") + signal_name(s);
    }
    return names + " to the job";
}

void end_rest_of_job(const JobTracer& tracer)
{
    constexpr auto reap_limit = std::chrono::seconds(5);
    tracer.kill_job();
    auto deadline = Clock::now() + reap_limit;
    while (Clock::now() < deadline) {
        pid_t pid = ::waitpid(-1, nullptr, __WALL | WNOHANG);
        if (pid < 0) {
            return;  // ECHILD: nothing left
        }
        if (pid == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

}  // namespace stasis::agent
