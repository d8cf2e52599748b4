#pragma once
// Thin, error-checked wrappers over the ptrace requests stasis uses on a
// thread that is already in a ptrace stop.
#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace stasis::ptrace {

// Waits for the next state change of tid (__WALL); throws if it exited.
int wait_stop(pid_t tid);
// The same, giving up at deadline (nothing then): a task may take for ever
// to reach a stop (a vfork parent, uninterruptible sleep).
std::optional<int> wait_stop_until(pid_t tid, std::chrono::steady_clock::time_point deadline);

user_regs_struct get_regs(pid_t tid);
void set_regs(pid_t tid, const user_regs_struct& regs);
std::vector<std::uint8_t> get_xstate(pid_t tid);
void set_xstate(pid_t tid, std::vector<std::uint8_t> xstate);
std::uint64_t get_sigmask(pid_t tid);
void set_sigmask(pid_t tid, std::uint64_t mask);

// Queued signals without dequeuing them: the thread's own, or (shared) the
// whole thread group's.
std::vector<siginfo_t> peek_pending(pid_t tid, bool shared);

// A thread stopped inside an interruptible syscall shows the kernel's
// internal -ERESTART* code. Make the registers re-issue the syscall when the
// thread runs again, as the kernel itself would: restart_syscall when the
// task is the same (its restart block is intact), else the original call.
void rewind_interrupted_syscall(user_regs_struct& regs, bool same_task);

}  // namespace stasis::ptrace
