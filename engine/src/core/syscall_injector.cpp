#include "core/syscall_injector.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"

#include <sys/ptrace.h>
#include <sys/wait.h>

#include <string>
#include <utility>

namespace stasis {

namespace {

bool is_event(int status, int event)
{
    return (status >> 8) == (SIGTRAP | (event << 8));
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
        if (is_event(status, PTRACE_EVENT_CLONE)) {
            unsigned long child = 0;
            ::ptrace(PTRACE_GETEVENTMSG, tid_, nullptr, &child);
            new_threads_.push_back(static_cast<pid_t>(child));
        } else if ((status >> 16) == 0 && sig != SIGTRAP) {
            // A real signal arrived: hold it back for the caller.
            siginfo_t info{};
            if (::ptrace(PTRACE_GETSIGINFO, tid_, nullptr, &info) == 0) {
                intercepted_.push_back(info);
            }
        }
    }
}

long SyscallInjector::call(long nr, std::initializer_list<std::uint64_t> args)
{
    auto regs = ptrace::get_regs(tid_);
    std::uint64_t a[6] = {};
    std::size_t i = 0;
    for (auto v : args) {
        a[i++] = v;
    }
    regs.rip = syscall_ip_;
    regs.rax = static_cast<unsigned long long>(nr);
    regs.orig_rax = static_cast<unsigned long long>(-1);
    regs.rdi = a[0];
    regs.rsi = a[1];
    regs.rdx = a[2];
    regs.r10 = a[3];
    regs.r8 = a[4];
    regs.r9 = a[5];
    ptrace::set_regs(tid_, regs);
    resume_to_syscall_stop();  // entry
    resume_to_syscall_stop();  // exit
    return static_cast<long>(ptrace::get_regs(tid_).rax);
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
