#pragma once
// The restore half of threads: the threads themselves and what the kernel
// keeps per thread, and finally every thread's registers.
#include "core/restore_context.hpp"
#include "process/process_state.hpp"

#include <vector>

namespace stasis {

// Creates threads 1..n (thread 0 is the process's main thread) and restores
// every thread's registrations and pending signals. Returns the new tids in
// the order of process.threads. Parent-death signals are set again only
// where the parent is the saved one (parent_restored): the tree's root has a
// new parent, whose end (`stasis restore --detach`) must not kill the job.
std::vector<pid_t> restore_threads(RestoreContext& ctx, const ProcessState& process, bool parent_restored);

// Last step, after the injection area is gone: masks, FPU state and
// registers, then let every thread run.
void release_threads(const ProcessState& process, const std::vector<pid_t>& tids);

// After release_threads of a process stopped by job control: waits until
// every thread of it is in that stop again, so that no other process of the
// tree, let go after, finds it otherwise. Gives up after a few seconds with
// one warning.
void wait_stopped_again(pid_t pid, const std::vector<pid_t>& tids);

}  // namespace stasis
