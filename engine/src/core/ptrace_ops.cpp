#include "core/ptrace_ops.hpp"

#include "core/error.hpp"
#include "core/exit_status.hpp"
#include "core/kernel_abi.hpp"

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

namespace stasis::ptrace {

namespace {

constexpr std::size_t xstate_max = 64 * 1024;
// How often wait_stop_until looks: quickly at first (most tasks stop at
// once), then no more than a hundred times a second.
constexpr auto first_look = std::chrono::microseconds(50);
constexpr auto last_look = std::chrono::milliseconds(10);

std::string tid_str(pid_t tid)
{
    return "thread " + std::to_string(tid);
}

// Calls the kernel ends with a plain EINTR, never restarting them, when a
// tracer interrupts them: a program would see an error that no signal of
// its own caused.
bool fails_with_eintr_when_interrupted(long nr)
{
    switch (nr) {
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
    case SYS_epoll_pwait2:
    case SYS_rt_sigtimedwait:
    case SYS_io_getevents:
    case SYS_semop:
    case SYS_semtimedop:
        return true;
    default:
        return false;
    }
}

int stop_status(pid_t tid, int status)
{
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        throw Error(tid_str(tid) + " ended while stasis held it");
    }
    return status;
}

}  // namespace

int wait_stop(pid_t tid)
{
    int status = 0;
    if (waitpid_uninterrupted(tid, status, __WALL) < 0) {
        throw sys_error("waiting for " + tid_str(tid));
    }
    return stop_status(tid, status);
}

// Polled: a blocking waitpid cannot be given a deadline, and a signal to
// end it would reach the whole of stasis (the agent's loop too).
std::optional<int> wait_stop_until(pid_t tid, std::chrono::steady_clock::time_point deadline)
{
    std::chrono::steady_clock::duration pause = first_look;
    for (;;) {
        int status = 0;
        pid_t got = waitpid_uninterrupted(tid, status, __WALL | WNOHANG);
        if (got < 0) {
            throw sys_error("waiting for " + tid_str(tid));
        }
        if (got == tid) {
            return stop_status(tid, status);
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::min(pause, deadline - now));
        pause = std::min<std::chrono::steady_clock::duration>(pause * 2, last_look);
    }
}

user_regs_struct get_regs(pid_t tid)
{
    user_regs_struct regs{};
    if (::ptrace(PTRACE_GETREGS, tid, nullptr, &regs) < 0) {
        throw sys_error("reading registers of " + tid_str(tid));
    }
    return regs;
}

void set_regs(pid_t tid, const user_regs_struct& regs)
{
    if (::ptrace(PTRACE_SETREGS, tid, nullptr, &regs) < 0) {
        throw sys_error("writing registers of " + tid_str(tid));
    }
}

std::vector<std::uint8_t> get_xstate(pid_t tid)
{
    std::vector<std::uint8_t> area(xstate_max);
    iovec iov{area.data(), area.size()};
    if (::ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov) < 0) {
        throw sys_error("reading XSAVE state of " + tid_str(tid));
    }
    area.resize(iov.iov_len);
    return area;
}

void set_xstate(pid_t tid, std::vector<std::uint8_t> xstate)
{
    iovec iov{xstate.data(), xstate.size()};
    if (::ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) < 0) {
        throw sys_error("writing XSAVE state of " + tid_str(tid));
    }
}

std::uint64_t get_sigmask(pid_t tid)
{
    std::uint64_t mask = 0;
    if (::ptrace(PTRACE_GETSIGMASK, tid, sizeof(mask), &mask) < 0) {
        throw sys_error("reading the signal mask of " + tid_str(tid));
    }
    return mask;
}

void set_sigmask(pid_t tid, std::uint64_t mask)
{
    if (::ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) < 0) {
        throw sys_error("writing the signal mask of " + tid_str(tid));
    }
}

std::vector<siginfo_t> peek_pending(pid_t tid, bool shared)
{
    std::vector<siginfo_t> queued;
    for (;;) {
        __ptrace_peeksiginfo_args args{};
        args.off = queued.size();
        args.flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0;
        args.nr = 1;
        siginfo_t info{};
        long n = ::ptrace(PTRACE_PEEKSIGINFO, tid, &args, &info);
        if (n < 0) {
            throw sys_error("reading pending signals of " + tid_str(tid));
        }
        if (n == 0) {
            return queued;
        }
        queued.push_back(info);
    }
}

void rewind_interrupted_syscall(user_regs_struct& regs, bool same_task)
{
    if (static_cast<long>(regs.orig_rax) < 0) {
        return;
    }
    switch (-static_cast<long>(regs.rax)) {
    case EINTR:
        if (fails_with_eintr_when_interrupted(static_cast<long>(regs.orig_rax))) {
            regs.rax = regs.orig_rax;
            regs.rip -= syscall_insn_size;
        }
        break;
    case erestartsys:
    case erestartnointr:
    case erestartnohand:
        regs.rax = regs.orig_rax;
        regs.rip -= syscall_insn_size;
        break;
    case erestart_restartblock:
        regs.rax = same_task ? SYS_restart_syscall : regs.orig_rax;
        regs.rip -= syscall_insn_size;
        break;
    default:
        break;
    }
    // The kernel must not restart it a second time.
    regs.orig_rax = static_cast<unsigned long long>(-1);
}

}  // namespace stasis::ptrace
