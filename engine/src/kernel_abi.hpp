#pragma once
// Kernel structures that injected syscalls read and write, in the kernel's
// layout rather than glibc's.
#include <cstdint>

namespace stasis {

// struct sigaction as rt_sigaction(2) takes it on x86-64.
struct KernelSigaction {
    std::uint64_t handler = 0;
    std::uint64_t flags = 0;
    std::uint64_t restorer = 0;
    std::uint64_t mask = 0;
};

}  // namespace stasis
