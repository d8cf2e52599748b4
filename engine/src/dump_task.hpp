#pragma once
// The per-task half of a checkpoint: identity, credentials-free process
// attributes, signal state and every thread's registers and kernel-side
// registrations. Reads /proc and ptrace, and injects the few syscalls whose
// answers only the task itself can get.
#include "frozen_process.hpp"
#include "task_state.hpp"

namespace stasis {

// Fills everything but regions and fds. The threads are left stopped with
// their registers as found (interrupted syscalls set to restart).
ProcessState read_task_state(const FrozenProcess& frozen, std::uint64_t syscall_ip);

// The address of a `syscall` instruction in the process's vDSO.
std::uint64_t find_syscall_instruction(pid_t pid, const std::vector<Region>& regions);

}  // namespace stasis
