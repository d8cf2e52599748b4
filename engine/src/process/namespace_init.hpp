#pragma once
// The namespaces a process tree (a single process too) is restored in: an ordinary user may choose pids
// only in a user + PID namespace of its own, and anyone may choose SysV ids
// only in a new IPC namespace. Its init (pid 1) makes the SysV segments,
// starts the root, sets the pids of the processes forked from their parents
// (process/next_pid.hpp) while stasis restores the tree, and ends with the
// root, passing on its exit status.
#include "process/spawn_plan.hpp"

#include <sys/types.h>

namespace stasis {

// Returns the init's pid, stasis's child. Throws an Error when the
// namespaces cannot be made.
pid_t start_namespace_init(const SpawnPlan& plan);

}  // namespace stasis
