#pragma once
// An rt_sigreturn frame that puts a thread back exactly as it was: its
// registers, its FPU/vector state and its signal mask. A thread that is left
// in an injected state (stasis died between two ptrace stops) runs into
// rt_sigreturn with its stack pointer on such a frame and carries on where
// it was, instead of running on with stasis's registers.
#include <sys/user.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace stasis {

struct SigreturnFrame {
    std::vector<std::byte> bytes;  // to be written at the frame's address
    std::uint64_t stack_pointer = 0;  // rsp when rt_sigreturn is called
};

// The frame, laid out for the address `at` (64-byte aligned) in the thread's
// address space. xstate is the thread's XSAVE area as PTRACE_GETREGSET gives
// it; blocked its signal mask; return_address the frame's first word, where
// a `ret` that leads into rt_sigreturn finds its target.
SigreturnFrame sigreturn_frame(std::uint64_t at, const user_regs_struct& regs, std::span<const std::uint8_t> xstate,
                               std::uint64_t blocked, std::uint64_t return_address);

// The frame's size for an XSAVE area of xstate_size bytes.
std::size_t sigreturn_frame_size(std::size_t xstate_size);

}  // namespace stasis
