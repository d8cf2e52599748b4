#pragma once
// The XSAVE components the kernel grants a process only on request
// (arch_prctl ARCH_REQ_XCOMP_PERM; AMX tile data is the one such component
// today): the permission, and the larger XSAVE area a thread gets on its
// first use of one. A restored process without the permission dies of
// SIGILL at its next AMX instruction; a thread without the larger area
// cannot be given back its live tile registers.
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace stasis {

class RestoreContext;
class SyscallInjector;
struct ThreadState;

// The dynamic components the process may use (0 on a CPU or kernel without
// any). scratch: a writable page in the process for the answer.
std::uint64_t read_dynamic_permission(pid_t pid, SyscallInjector& inj, std::uint64_t scratch);

// Asks for them again in the restored process; a node that refuses (no
// AMX, or a kernel without it) fails the restore in one line.
void restore_dynamic_permission(RestoreContext& ctx, std::uint64_t permitted);

// Every thread whose saved state has a dynamic component in use runs one
// instruction of it, so that the kernel gives it the larger area before its
// saved state is set. After restore_dynamic_permission.
void make_room_for_dynamic_state(RestoreContext& ctx, const std::vector<ThreadState>& threads,
                                 const std::vector<pid_t>& tids);

}  // namespace stasis
