#pragma once
// The private expedited membarrier(2) commands a process registered for (a
// runtime with a memory model of its own: a JIT, liburcu, a garbage
// collector). Unregistered, the barrier fails with EPERM, so a restored
// process registers again. The kernel shows them nowhere; a registration is
// found by issuing the command itself, which only costs a barrier.
// MEMBARRIER_CMD_GLOBAL_EXPEDITED cannot be found so, and is not kept.
#include <string>
#include <vector>

namespace stasis {

class SyscallInjector;

// Names ("private_expedited", "private_expedited_sync_core",
// "private_expedited_rseq") of the commands the stopped process is
// registered for, through one of its threads.
std::vector<std::string> read_membarrier_registrations(SyscallInjector& inj);

// Registers the restored process for them again. A name stasis does not know
// is refused (ImageError); a kernel that refuses one fails the restore.
void restore_membarrier_registrations(SyscallInjector& inj, const std::vector<std::string>& names);

}  // namespace stasis
