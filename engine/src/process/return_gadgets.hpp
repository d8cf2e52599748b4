#pragma once
// Code a process already has, through which a thread left in an injected
// call gets home by itself before stasis has a stub of its own there (the
// injection area's own mmap and munmap): the vDSO's syscall instruction
// followed by "leave; <xor clears>; ret", which returns through a frame
// pointer stasis sets, and a signal restorer "mov $15, %rax; syscall" (libc's)
// that the `ret` leads into.
#include "memory/region.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace stasis {

// The address of a `syscall` instruction in the process's vDSO: where
// injected calls run from.
std::uint64_t find_syscall_instruction(pid_t pid, const std::vector<Region>& regions);

struct ReturnGadgets {
    std::uint64_t syscall_leave_ret = 0;
    std::uint64_t sigreturn = 0;
};

// Nothing when the vDSO or the process's code has no such sequence: the
// area's mmap and munmap are then made without a way back.
std::optional<ReturnGadgets> find_return_gadgets(pid_t pid, const std::vector<Region>& regions);

}  // namespace stasis
