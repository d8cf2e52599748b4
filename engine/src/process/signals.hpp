#pragma once
// A process's signal handlers and queued signals: read at dump through
// injected rt_sigaction, set again and re-queued at restore. (Each thread's
// mask and queue are part of the thread, threads/.)
#include "core/restore_context.hpp"
#include "core/syscall_injector.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Dump: the handlers of every signal the process catches or ignores.
std::vector<SigAction> read_sigactions(pid_t pid, SyscallInjector& inj, std::uint64_t scratch);

// Restore.
void restore_sigactions(RestoreContext& ctx, const ProcessState& process);

// Restore: queues a saved siginfo again, through inj (a thread of the
// restored process). The kernel lets a process queue any siginfo to itself
// only, named by the ids it sees itself: own_tid 0 queues to the whole
// process.
void queue_signal(RestoreContext& ctx, SyscallInjector& inj, const SigInfoBytes& info, pid_t own_tid);

}  // namespace stasis
