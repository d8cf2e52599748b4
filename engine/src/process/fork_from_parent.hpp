#pragma once
// Creating a process that is restored as a fork of its restored parent
// (process/forked_children.hpp): the parent, its memory rebuilt, forks it
// in an injected call, with its saved pid; the child then gets the place
// and limits the parent's spawner would have given it before exec.
#include "core/restore_context.hpp"
#include "process/next_pid.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

namespace stasis {

// parent: the parent's main thread, its address space rebuilt. Returns the
// child's pid as stasis sees it; the child is stopped under ptrace, at the
// end of its fork, in the parent's injection area.
pid_t fork_from_parent(RestoreContext& parent, const ProcessState& child, NextPid& next_pid);

// Working directory, umask and resource limits, as a spawned process sets
// them before its exec (a hard limit above the restorer's stays the
// restorer's).
void set_place_and_limits(RestoreContext& ctx, const ProcessState& process);

}  // namespace stasis
