#include "process/frozen_process.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace stasis {

FrozenProcess::FrozenProcess(pid_t pid) : pid_(pid)
{
    check_access();
    try {
        seize_all();
    } catch (...) {
        release();
        throw;
    }
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
        std::string comm;
        try {
            comm = proc::read_text("/proc/" + tracer + "/comm");
            comm.erase(comm.find_last_not_of('\n') + 1);
        } catch (const Error&) {
        }
        throw Error("process " + std::to_string(pid_) + " is already traced by pid " + tracer +
                    (comm.empty() ? "" : " (" + comm + ")") + "; checkpoint it through that tracer");
    }
}

// Returns false when a thread other than the leader ended before it
// stopped.
bool FrozenProcess::interrupt(pid_t tid)
{
    ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    try {
        int status = ptrace::wait_stop(tid);
        // A signal raced with the interrupt: let it be delivered, then the
        // interrupt's stop follows.
        while ((status >> 16) != PTRACE_EVENT_STOP) {
            ::ptrace(PTRACE_CONT, tid, nullptr, WSTOPSIG(status));
            status = ptrace::wait_stop(tid);
        }
        return true;
    } catch (const Error&) {
        if (tid == pid_) {
            throw;
        }
        return false;
    }
}

// Threads may be created while we attach; repeat until a listing shows no
// thread we do not hold (a held thread cannot create more).
void FrozenProcess::seize_all()
{
    for (;;) {
        bool added = false;
        for (pid_t tid : proc::threads(pid_)) {
            if (std::find(tids_.begin(), tids_.end(), tid) != tids_.end()) {
                continue;
            }
            if (::ptrace(PTRACE_SEIZE, tid, nullptr, PTRACE_O_TRACESYSGOOD) < 0) {
                if (errno == ESRCH) {
                    continue;  // exited meanwhile
                }
                throw sys_error("cannot attach to thread " + std::to_string(tid) + " of process " +
                                std::to_string(pid_));
            }
            tids_.push_back(tid);
            if (!interrupt(tid)) {
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
        for (pid_t tid : tids_) {
            ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
        }
    }
    tids_.clear();
}

FrozenProcess::~FrozenProcess()
{
    release();
}

}  // namespace stasis
