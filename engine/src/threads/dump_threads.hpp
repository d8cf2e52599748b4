#pragma once
// The dump half of threads: what ptrace reads of a stopped thread directly,
// and what only the thread itself can tell, asked by injected syscalls.
#include "core/syscall_injector.hpp"
#include "threads/thread_state.hpp"

#include <signal.h>
#include <sys/types.h>

#include <vector>

namespace stasis {

// Registers, XSAVE area, signal mask and queue, robust list, rseq and name.
ThreadState read_thread(pid_t pid, pid_t tid);

// clear_child_tid and the alternate signal stack, through inj (the thread's
// own injector) and a scratch page in the process.
void read_thread_by_injection(pid_t pid, ThreadState& t, SyscallInjector& inj, std::uint64_t scratch);

std::vector<SigInfoBytes> to_siginfo_bytes(const std::vector<siginfo_t>& infos);

}  // namespace stasis
