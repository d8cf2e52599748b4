#pragma once
// The kernel's x86-64 ABI as stasis relies on it, named once: values the
// system headers do not export (they are kernel-internal or arch details)
// and the layouts injected syscalls read and write, in the kernel's form
// rather than glibc's.
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstdint>

namespace stasis {

inline constexpr std::uint64_t page_size = 4096;

// `syscall` is the two bytes 0f 05; after it has run, the instruction pointer
// is past it, and rewinding by its size re-issues the call.
inline constexpr std::uint8_t syscall_insn[] = {0x0f, 0x05};
inline constexpr std::uint64_t syscall_insn_size = sizeof(syscall_insn);

// A raw syscall result in [-max_errno, -1] is -errno; anything else is a value.
inline constexpr long max_errno = 4095;
inline constexpr bool is_syscall_error(long result)
{
    return result < 0 && result >= -max_errno;
}

// Kernel-internal restart codes (include/linux/errno.h), visible to a
// tracer in rax of a thread stopped inside an interrupted syscall.
inline constexpr long erestartsys = 512;
inline constexpr long erestartnointr = 513;
inline constexpr long erestartnohand = 514;
inline constexpr long erestart_restartblock = 516;

// The ptrace stop of a syscall entry or exit under PTRACE_O_TRACESYSGOOD.
inline constexpr int syscall_stop_signal = SIGTRAP | 0x80;

// Signals 1..64 as the kernel's 64-bit set: bit (sig - 1).
inline constexpr int max_signal = 64;
inline constexpr std::uint64_t signal_bit(int sig)
{
    return std::uint64_t{1} << (sig - 1);
}

// struct sigaction as rt_sigaction(2) takes it on x86-64.
struct KernelSigaction {
    std::uint64_t handler = 0;
    std::uint64_t flags = 0;
    std::uint64_t restorer = 0;
    std::uint64_t mask = 0;
};

// The sigsetsize argument of rt_sigaction and friends: the kernel's set,
// not glibc's 128-byte sigset_t.
inline constexpr std::size_t kernel_sigset_size = sizeof(KernelSigaction::mask);

// A device number in the kernel's own encoding (major in the bits above the
// low 20 of minor), as fdinfo and sock_diag give it, in the one stat and
// makedev use.
inline constexpr unsigned kernel_minor_bits = 20;
inline dev_t from_kernel_dev(std::uint64_t dev)
{
    return makedev(static_cast<unsigned>(dev >> kernel_minor_bits),
                   static_cast<unsigned>(dev & ((1U << kernel_minor_bits) - 1)));
}


// Write tracking (kernel 6.7 and later; the system headers of Debian 12 are
// 6.1's): a userfaultfd that only user-mode faults may use, so that
// unprivileged processes may create it with vm.unprivileged_userfaultfd=0,
// and its write-protect mode in which the kernel resolves every fault
// itself, leaving only the cleared bit for PAGEMAP_SCAN to find.
inline constexpr int uffd_user_mode_only = 1;
inline constexpr std::uint64_t uffd_feature_wp_async = std::uint64_t{1} << 15;

// PAGEMAP_SCAN on /proc/PID/pagemap (include/uapi/linux/fs.h).
struct PageRegion {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t categories = 0;
};

struct PmScanArg {
    std::uint64_t size = sizeof(PmScanArg);
    std::uint64_t flags = 0;
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t walk_end = 0;
    std::uint64_t vec = 0;
    std::uint64_t vec_len = 0;
    std::uint64_t max_pages = 0;
    std::uint64_t category_inverted = 0;
    std::uint64_t category_mask = 0;
    std::uint64_t category_anyof_mask = 0;
    std::uint64_t return_mask = 0;
};

inline constexpr unsigned long pagemap_scan_ioctl = _IOWR('f', 16, PmScanArg);
inline constexpr std::uint64_t pm_scan_wp_matching = 1;    // write-protect the pages it reports
inline constexpr std::uint64_t pm_scan_check_wpasync = 2;  // fail on a range not registered in async mode
inline constexpr std::uint64_t page_is_written = 1U << 1;
inline constexpr std::uint64_t page_is_file = 1U << 2;
inline constexpr std::uint64_t page_is_present = 1U << 3;
inline constexpr std::uint64_t page_is_swapped = 1U << 4;

}  // namespace stasis
