#include "core/kernel_abi.hpp"
#include "core/proc.hpp"
#include "core/remote_memory.hpp"
#include "process/signals.hpp"

#include <sys/syscall.h>

namespace stasis {

namespace {

std::uint64_t status_mask(pid_t pid, const char* key)
{
    auto v = proc::status_field(pid, key);
    return v.empty() ? 0 : std::stoull(v, nullptr, 16);
}

}  // namespace

std::vector<SigAction> read_sigactions(pid_t pid, SyscallInjector& inj, std::uint64_t scratch)
{
    std::uint64_t interesting = status_mask(pid, "SigCgt") | status_mask(pid, "SigIgn");
    std::vector<SigAction> actions;
    for (int sig = 1; sig <= max_signal; ++sig) {
        if ((interesting & signal_bit(sig)) == 0 || sig == SIGKILL || sig == SIGSTOP) {
            continue;
        }
        inj.checked("rt_sigaction", SYS_rt_sigaction, {static_cast<std::uint64_t>(sig), 0, scratch, kernel_sigset_size});
        auto k = read_remote_value<KernelSigaction>(pid, scratch);
        actions.push_back({sig, k.handler, k.flags, k.restorer, k.mask});
    }
    return actions;
}

}  // namespace stasis
