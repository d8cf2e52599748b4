#pragma once
// The per-task half of a checkpoint: identity, credentials-free process
// attributes, signal state and every thread's registers and kernel-side
// registrations. Reads /proc and ptrace, and injects the few syscalls whose
// answers only the task itself can get.
#include "frozen_process.hpp"
#include "task_state.hpp"

#include <map>
#include <vector>

namespace stasis {

// Which pages of a shared memory mapping are resident in the shared object
// (mincore), whichever process touched them: region start -> one flag per page.
using SharedResidency = std::map<std::uint64_t, std::vector<bool>>;

// Fills everything but regions and fds, and the residency of the given
// regions' shared memory. The threads are left stopped with their registers
// as found (interrupted syscalls set to restart).
ProcessState read_task_state(const FrozenProcess& frozen, std::uint64_t syscall_ip,
                             const std::vector<Region>& regions, SharedResidency& residency);

// The address of a `syscall` instruction in the process's vDSO.
std::uint64_t find_syscall_instruction(pid_t pid, const std::vector<Region>& regions);

}  // namespace stasis
