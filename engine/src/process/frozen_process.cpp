#include "process/frozen_process.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace stasis {

FrozenProcess::FrozenProcess(pid_t pid, const FreezeDeadline& deadline) : pid_(pid)
{
    check_access();
    try {
        seize_all(deadline);
    } catch (...) {
        release();
        throw;
    }
}

FrozenProcess::FrozenProcess(pid_t pid, const HeldProcess& held, const FreezeDeadline& deadline)
    : pid_(pid), tids_(held.tids), adopted_(held.tids.size()), stopped_by_(held.stopped_by)
{
    // The leader first, as /proc lists it: the dump takes tids().front() for it.
    std::stable_partition(tids_.begin(), tids_.end(), [pid](pid_t tid) { return tid == pid; });
    try {
        seize_all(deadline);
    } catch (...) {
        release();
        throw;
    }
}

FrozenProcess::FrozenProcess(pid_t pid, Interrupted) : pid_(pid)
{
    check_access();
    try {
        for (pid_t tid : proc::threads(pid_)) {
            if (seize(tid)) {
                ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
                tids_.push_back(tid);
            }
        }
    } catch (...) {
        release();
        throw;
    }
    pending_ = tids_.size();
}

void FrozenProcess::await_stops(const FreezeDeadline& deadline)
{
    std::vector<pid_t> interrupted(tids_.begin(), tids_.begin() + static_cast<long>(std::exchange(pending_, 0)));
    for (pid_t tid : interrupted) {
        if (!await_stop(tid, deadline)) {
            std::erase(tids_, tid);  // a thread that ended meanwhile is simply gone
        }
    }
    seize_all(deadline);
}

void FrozenProcess::check_access() const
{
    std::string dir = "/proc/" + std::to_string(pid_);
    struct stat st {};
    if (pid_ <= 0 || ::stat(dir.c_str(), &st) < 0) {
        throw Error("no such process: " + std::to_string(pid_));
    }
    if (::geteuid() != 0 && st.st_uid != ::geteuid()) {
        throw Error("process " + std::to_string(pid_) + " belongs to uid " + std::to_string(st.st_uid) +
                    ", not to you (uid " + std::to_string(::geteuid()) + ")");
    }
    if (proc::status_field(pid_, "State").rfind("Z", 0) == 0) {
        throw Error("process " + std::to_string(pid_) + " has already exited");
    }
    auto tracer = proc::status_field(pid_, "TracerPid");
    if (!tracer.empty() && tracer != "0") {
        throw_traced(pid_);
    }
}

// Another tracer holds tid: it is not stasis's to stop, now or later.
void FrozenProcess::throw_traced(pid_t tid) const
{
    throw Error(task_name(pid_, tid) + " cannot be checkpointed: " + stop_obstacle(pid_, tid) +
                "; checkpoint it through that tracer");
}

// Returns false when tid has ended meanwhile (ESRCH); throws when it may not
// be traced.
bool FrozenProcess::seize(pid_t tid)
{
    if (::ptrace(PTRACE_SEIZE, tid, nullptr, PTRACE_O_TRACESYSGOOD) == 0) {
        return true;
    }
    int err = errno;
    if (err == ESRCH) {
        return false;
    }
    if (err == EPERM && proc::status_field(pid_, tid, "TracerPid") != "0") {
        throw_traced(tid);
    }
    throw sys_error("cannot attach to thread " + std::to_string(tid) + " of process " + std::to_string(pid_), err);
}

// Waits for the stop of an interrupt sent to tid. Returns false when a
// thread other than the leader ended before it stopped.
bool FrozenProcess::await_stop(pid_t tid, const FreezeDeadline& deadline)
{
    std::optional<int> status;
    try {
        status = ptrace::wait_stop_until(tid, deadline.at);
        // A signal raced with the interrupt: let it be delivered, then the
        // interrupt's stop follows.
        while (status && (*status >> 16) != PTRACE_EVENT_STOP) {
            ::ptrace(PTRACE_CONT, tid, nullptr, WSTOPSIG(*status));
            status = ptrace::wait_stop_until(tid, deadline.at);
        }
    } catch (const Error&) {
        if (tid == pid_) {
            throw;
        }
        return false;
    }
    if (!status) {
        throw deadline.missed_by(pid_, tid);
    }
    // A task already in a group stop reports it with its stopping signal;
    // an interrupted running one with SIGTRAP.
    if (tid == pid_ && WSTOPSIG(*status) != SIGTRAP) {
        stopped_by_ = WSTOPSIG(*status);
    }
    return true;
}

// Threads may be created while we attach; repeat until a listing shows no
// thread we do not hold (a held thread cannot create more).
void FrozenProcess::seize_all(const FreezeDeadline& deadline)
{
    for (;;) {
        bool added = false;
        for (pid_t tid : proc::threads(pid_)) {
            if (std::find(tids_.begin(), tids_.end(), tid) != tids_.end() || !seize(tid)) {
                continue;
            }
            ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
            tids_.push_back(tid);
            if (!await_stop(tid, deadline)) {
                tids_.pop_back();  // a thread that ended meanwhile is simply gone
                continue;
            }
            added = true;
        }
        if (!added) {
            return;
        }
    }
}

void FrozenProcess::kill()
{
    ::kill(pid_, SIGKILL);
    killed_ = true;
}

void FrozenProcess::release() noexcept
{
    if (!killed_) {
        for (std::size_t i = adopted_; i < tids_.size(); ++i) {
            ::ptrace(PTRACE_DETACH, tids_[i], nullptr, nullptr);
        }
    }
    tids_.clear();
}

FrozenProcess::~FrozenProcess()
{
    release();
}

}  // namespace stasis
