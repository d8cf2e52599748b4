#pragma once
// Runs one system call inside a stopped tracee thread: the only way to read
// or set state the kernel keeps per task and shows to nobody else
// (clear_child_tid, sigaltstack, handlers) or to build a restored process
// from the inside.
#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

namespace stasis {

class SyscallInjector {
public:
    // syscall_ip: the address of a `syscall` instruction mapped executable in
    // the tracee. The thread must be in a ptrace stop and traced with
    // PTRACE_O_TRACESYSGOOD. Its registers are clobbered, unless it is given
    // a home (return_home).
    SyscallInjector(pid_t tid, std::uint64_t syscall_ip) : tid_(tid), syscall_ip_(syscall_ip) {}

    // Returns the raw result (-errno on failure).
    long call(long nr, std::initializer_list<std::uint64_t> args);

    // Like call(), but throws an Error naming `what` when the result is an error.
    std::uint64_t checked(const char* what, long nr, std::initializer_list<std::uint64_t> args);

    // From now on each call starts from `launch` (the home registers with
    // the instruction, stack and frame pointers of a way back home, see
    // InjectionArea), and the thread is put back at `home` right after it.
    // Should stasis die while the thread is in the call, the thread finishes
    // it and, with a way back, returns home through rt_sigreturn by itself.
    void return_home(const user_regs_struct& home, const user_regs_struct& launch);
    // Like call(), but the thread then takes its way back home by itself,
    // as it would if stasis died in the call. Gives the result, and the
    // registers the thread arrives with for the caller to check the way with.
    std::pair<long, user_regs_struct> call_and_walk_home(long nr, std::initializer_list<std::uint64_t> args);

    [[nodiscard]] pid_t tid() const { return tid_; }
    void set_syscall_ip(std::uint64_t ip) { syscall_ip_ = ip; }

    // Threads created by an injected clone (PTRACE_O_TRACECLONE).
    std::vector<pid_t> take_new_threads() { return std::exchange(new_threads_, {}); }
    // Processes created by an injected fork (PTRACE_O_TRACEFORK), as the tracer sees their pids.
    std::vector<pid_t> take_new_processes() { return std::exchange(new_processes_, {}); }
    // Signals that arrived while stasis held the thread; the caller decides
    // whether to keep them pending or deliver them.
    std::vector<siginfo_t> take_intercepted() { return std::exchange(intercepted_, {}); }

private:
    struct Home {
        user_regs_struct regs;
        user_regs_struct launch;
    };

    void resume_to_syscall_stop();
    // Runs the thread from regs to the exit of the syscall there.
    void run_from(user_regs_struct regs);
    void put_home_quietly() noexcept;
    [[nodiscard]] user_regs_struct launch_of(long nr, std::initializer_list<std::uint64_t> args) const;

    pid_t tid_;
    std::uint64_t syscall_ip_;
    std::optional<Home> home_;
    std::vector<pid_t> new_threads_;
    std::vector<pid_t> new_processes_;
    std::vector<siginfo_t> intercepted_;
};

}  // namespace stasis
