#pragma once
// The dump half of shared memory objects (shared anonymous, memfd and SysV
// mappings): which of their pages hold data, whoever touched them, and what
// a SysV segment is (key, size, mode). Each object is saved once, with its
// first mapping in the tree.
#include "core/syscall_injector.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <vector>

namespace stasis {

// Which pages of a shared memory mapping (or a shared mapping of an unnamed
// file) are resident in the shared object (mincore), whichever process
// touched them: region start -> one flag per page.
using SharedResidency = std::map<std::uint64_t, std::vector<bool>>;

// Asked inside the process through inj and a scratch page: the residency of
// each of its shared memory regions, and the SysV segments it attached.
SharedResidency read_shared_residency(pid_t pid, SyscallInjector& inj, std::uint64_t scratch,
                                      const std::vector<Region>& regions);
std::vector<SysvSegment> read_sysv_segments(pid_t pid, SyscallInjector& inj, std::uint64_t scratch,
                                            const std::vector<Region>& regions);

// The owner of each object: its first mapping in the tree, whose dump saves
// the object's pages that hold data.
struct SharedOwner {
    pid_t pid;
    std::uint64_t start, end, offset;  // the owner's mapping
    std::vector<bool> present;         // per page of the owner's mapping
};
using SharedPages = std::map<std::uint64_t, SharedOwner>;  // by object (inode)

// tree: every process with its final regions; residency: each process's, in
// tree order.
SharedPages find_shared_pages(const std::vector<ProcessState>& tree, const std::vector<SharedResidency>& residency);

}  // namespace stasis
