#include "core/syscall_injector.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <string>
#include <utility>

namespace stasis {

namespace {

bool is_event(int status, int event)
{
    return (status >> 8) == (SIGTRAP | (event << 8));
}

// A fault of the thread's own instructions, not a signal sent to it.
bool is_own_fault(const siginfo_t& info)
{
    bool fault = info.si_signo == SIGSEGV || info.si_signo == SIGBUS || info.si_signo == SIGILL ||
                 info.si_signo == SIGFPE;
    return fault && info.si_code > 0;
}

}  // namespace

void SyscallInjector::resume_to_syscall_stop()
{
    for (;;) {
        if (::ptrace(PTRACE_SYSCALL, tid_, nullptr, nullptr) < 0) {
            throw sys_error("resuming thread " + std::to_string(tid_));
        }
        int status = ptrace::wait_stop(tid_);
        int sig = WSTOPSIG(status);
        if (sig == syscall_stop_signal) {
            return;
        }
        if (is_event(status, PTRACE_EVENT_CLONE) || is_event(status, PTRACE_EVENT_FORK)) {
            unsigned long child = 0;
            ::ptrace(PTRACE_GETEVENTMSG, tid_, nullptr, &child);
            (is_event(status, PTRACE_EVENT_CLONE) ? new_threads_ : new_processes_).push_back(static_cast<pid_t>(child));
        } else if ((status >> 16) == 0 && sig != SIGTRAP) {
            siginfo_t info{};
            if (::ptrace(PTRACE_GETSIGINFO, tid_, nullptr, &info) == 0) {
                if (is_own_fault(info)) {
                    // Resumed, it would fault again and again.
                    throw Error("thread " + std::to_string(tid_) + " faulted (signal " + std::to_string(sig) +
                                ") in an injected call");
                }
                intercepted_.push_back(info);  // a real signal: held back for the caller
            }
        }
    }
}

user_regs_struct SyscallInjector::launch_of(long nr, std::initializer_list<std::uint64_t> args) const
{
    auto regs = home_ ? home_->launch : ptrace::get_regs(tid_);
    if (!home_) {
        regs.rip = syscall_ip_;
    }
    std::uint64_t a[6] = {};
    std::size_t i = 0;
    for (auto v : args) {
        a[i++] = v;
    }
    regs.rax = static_cast<unsigned long long>(nr);
    regs.orig_rax = static_cast<unsigned long long>(-1);
    regs.rdi = a[0];
    regs.rsi = a[1];
    regs.rdx = a[2];
    regs.r10 = a[3];
    regs.r8 = a[4];
    regs.r9 = a[5];
    return regs;
}

long SyscallInjector::call(long nr, std::initializer_list<std::uint64_t> args)
{
    run_from(launch_of(nr, args));
    auto result = static_cast<long>(ptrace::get_regs(tid_).rax);
    if (home_) {
        ptrace::set_regs(tid_, home_->regs);
    }
    return result;
}

void SyscallInjector::return_home(const user_regs_struct& home, const user_regs_struct& launch)
{
    home_ = Home{home, launch};
}

std::pair<long, user_regs_struct> SyscallInjector::call_and_walk_home(long nr, std::initializer_list<std::uint64_t> args)
{
    run_from(launch_of(nr, args));
    auto result = static_cast<long>(ptrace::get_regs(tid_).rax);
    try {
        resume_to_syscall_stop();  // entry of the way back's rt_sigreturn
        if (ptrace::get_regs(tid_).orig_rax != SYS_rt_sigreturn) {
            throw Error("thread " + std::to_string(tid_) + " did not take its way back after an injected call");
        }
        resume_to_syscall_stop();  // its exit
    } catch (...) {
        put_home_quietly();
        throw;
    }
    return {result, ptrace::get_regs(tid_)};
}

// Runs the thread from regs to the exit of the syscall there. A thread that
// has a home is put back there when that fails.
void SyscallInjector::run_from(user_regs_struct regs)
{
    try {
        ptrace::set_regs(tid_, regs);
        resume_to_syscall_stop();  // entry
        resume_to_syscall_stop();  // exit
    } catch (...) {
        put_home_quietly();
        throw;
    }
}

void SyscallInjector::put_home_quietly() noexcept
{
    if (home_) {
        ::ptrace(PTRACE_SETREGS, tid_, nullptr, &home_->regs);  // it may be gone: nothing more to do then
    }
}

std::uint64_t SyscallInjector::checked(const char* what, long nr, std::initializer_list<std::uint64_t> args)
{
    long result = call(nr, args);
    if (is_syscall_error(result)) {
        throw sys_error(std::string(what) + " in process " + std::to_string(tid_), static_cast<int>(-result));
    }
    return static_cast<std::uint64_t>(result);
}

}  // namespace stasis
