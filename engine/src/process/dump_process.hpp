#pragma once
// The per-process half of a checkpoint: identity and place in the tree,
// attributes (cwd, umask, limits), and one injection session in which each
// kind asks what only the process itself can tell (threads, signals, mm,
// shared memory).
#include "memory/write_tracking.hpp"
#include "process/frozen_process.hpp"
#include "process/frozen_tree.hpp"
#include "process/process_state.hpp"
#include "shared_memory/dump_shared_memory.hpp"

#include <vector>

namespace stasis {

// Fills everything but regions and fds, the residency of the surveyed
// regions' shared memory, and the times of the surveyed timers. The threads
// are left stopped with their registers as found (interrupted syscalls set
// to restart). With tracking, the process is taken into it.
ProcessState read_task_state(const FrozenProcess& frozen, std::uint64_t syscall_ip, const ProcessState& surveyed,
                             SharedResidency& residency, WriteTracking* tracking);

// What is kept of a child that exited but was not reaped.
// A process DumpOptions::relaunch names: its identity, its arguments and
// environment, and fds (0-2).
ProcessState relaunch_state(const FrozenProcess& frozen, std::vector<FdState> fds);

ProcessState zombie_state(const Zombie& zombie);

}  // namespace stasis
