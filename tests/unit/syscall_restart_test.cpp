// rewind_interrupted_syscall: the registers of a thread stopped inside a
// syscall, made to re-issue the call when the thread runs again, as the
// kernel would have done had no tracer stopped it.
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"

#include <doctest/doctest.h>

#include <sys/syscall.h>
#include <sys/user.h>

#include <cerrno>
#include <cstring>

using stasis::ptrace::rewind_interrupted_syscall;

namespace {

constexpr unsigned long long after_syscall = 0x401236;  // rip just past the `syscall`
constexpr unsigned long long not_a_syscall = static_cast<unsigned long long>(-1);

// A thread stopped after syscall nr returned result (raw, -errno for errors).
// The other registers hold values that nothing should touch.
user_regs_struct stopped_in(long nr, long result)
{
    user_regs_struct regs{};
    unsigned char fill = 0x11;
    auto* bytes = reinterpret_cast<unsigned char*>(&regs);
    for (std::size_t i = 0; i < sizeof(regs); ++i, fill += 0x07) {
        bytes[i] = fill;
    }
    regs.orig_rax = static_cast<unsigned long long>(nr);
    regs.rax = static_cast<unsigned long long>(result);
    regs.rip = after_syscall;
    return regs;
}

// Whether a and b differ at most in rax, rip and orig_rax, the three
// registers the rewind may change.
bool same_but_syscall_registers(const user_regs_struct& a, user_regs_struct b)
{
    b.rax = a.rax;
    b.rip = a.rip;
    b.orig_rax = a.orig_rax;
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

// rewind_interrupted_syscall of a thread stopped in nr with result; checks
// what every rewind must leave alone.
user_regs_struct rewound(long nr, long result, bool same_task)
{
    const user_regs_struct before = stopped_in(nr, result);
    user_regs_struct regs = before;
    rewind_interrupted_syscall(regs, same_task);
    CHECK(same_but_syscall_registers(before, regs));
    // The kernel must not restart the call a second time on its own.
    CHECK(regs.orig_rax == not_a_syscall);
    return regs;
}

void check_reissues(const user_regs_struct& regs, long nr)
{
    CHECK(regs.rax == static_cast<unsigned long long>(nr));
    CHECK(regs.rip == after_syscall - stasis::syscall_insn_size);
}

void check_left_alone(const user_regs_struct& regs, long result)
{
    CHECK(regs.rax == static_cast<unsigned long long>(result));
    CHECK(regs.rip == after_syscall);
}

}  // namespace

TEST_CASE("-ERESTARTSYS, -ERESTARTNOINTR and -ERESTARTNOHAND re-issue the original call")
{
    for (const long code : {stasis::erestartsys, stasis::erestartnointr, stasis::erestartnohand}) {
        for (const bool same_task : {true, false}) {
            CAPTURE(code);
            CAPTURE(same_task);
            check_reissues(rewound(SYS_read, -code, same_task), SYS_read);
        }
    }
}

TEST_CASE("-ERESTART_RESTARTBLOCK resumes through restart_syscall only in the same task")
{
    // The restart block (the time left of a nanosleep, ...) lives in the
    // kernel's task; a restored task has none, so it re-issues the call.
    check_reissues(rewound(SYS_clock_nanosleep, -stasis::erestart_restartblock, true), SYS_restart_syscall);
    check_reissues(rewound(SYS_clock_nanosleep, -stasis::erestart_restartblock, false), SYS_clock_nanosleep);
}

TEST_CASE("a plain EINTR is re-issued for the calls the kernel does not restart after a tracer stop")
{
    for (const long nr : {SYS_epoll_wait, SYS_epoll_pwait, SYS_epoll_pwait2, SYS_rt_sigtimedwait, SYS_io_getevents,
                          SYS_semop, SYS_semtimedop}) {
        CAPTURE(nr);
        check_reissues(rewound(nr, -EINTR, false), nr);
    }
}

TEST_CASE("a plain EINTR of any other call is the program's own and stays")
{
    for (const long nr : {SYS_read, SYS_write, SYS_wait4, SYS_nanosleep, SYS_futex}) {
        CAPTURE(nr);
        check_left_alone(rewound(nr, -EINTR, false), -EINTR);
    }
}

TEST_CASE("a finished call keeps its result")
{
    check_left_alone(rewound(SYS_read, 42, true), 42);
    check_left_alone(rewound(SYS_epoll_wait, 0, true), 0);
    check_left_alone(rewound(SYS_read, -EAGAIN, true), -EAGAIN);
    check_left_alone(rewound(SYS_mmap, 0x7f12a0000000, true), 0x7f12a0000000);
}

TEST_CASE("a thread that is not in a syscall is left exactly as it was")
{
    // orig_rax == -1: stopped in user code, where rax is an ordinary value
    // that may happen to equal a restart code.
    for (const long rax : {-stasis::erestartsys, -stasis::erestart_restartblock, long{-EINTR}, 7L}) {
        CAPTURE(rax);
        const user_regs_struct before = stopped_in(-1, rax);
        user_regs_struct regs = before;
        rewind_interrupted_syscall(regs, true);
        CHECK(std::memcmp(&before, &regs, sizeof(regs)) == 0);
    }
}
