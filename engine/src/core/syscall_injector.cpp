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
    auto regs = home_ ? home_->regs : ptrace::get_regs(tid_);
    std::uint64_t a[6] = {};
    std::size_t i = 0;
    for (auto v : args) {
        a[i++] = v;
    }
    regs.rip = home_ ? home_->stub_ip : syscall_ip_;
    if (home_) {
        regs.rsp = home_->frame_sp;
    }
    regs.rax = static_cast<unsigned long long>(nr);
    regs.orig_rax = static_cast<unsigned long long>(-1);
    regs.rdi = a[0];
    regs.rsi = a[1];
    regs.rdx = a[2];
    regs.r10 = a[3];
    regs.r8 = a[4];
    regs.r9 = a[5];
    run_from(regs);
    auto result = static_cast<long>(ptrace::get_regs(tid_).rax);
    if (home_) {
        ptrace::set_regs(tid_, home_->regs);
    }
    return result;
}

void SyscallInjector::return_home(const user_regs_struct& home, std::uint64_t stub_ip, std::uint64_t frame_sp)
{
    home_ = Home{home, stub_ip, frame_sp};
}

user_regs_struct SyscallInjector::go_home_through_frame()
{
    auto regs = home_->regs;
    regs.rip = home_->stub_ip + syscall_insn_size;  // the stub's rt_sigreturn
    regs.rsp = home_->frame_sp;
    regs.orig_rax = static_cast<unsigned long long>(-1);
    run_from(regs);
    return ptrace::get_regs(tid_);
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
        if (home_) {
            ::ptrace(PTRACE_SETREGS, tid_, nullptr, &home_->regs);  // it may be gone: nothing more to do then
        }
        throw;
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
