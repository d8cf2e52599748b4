#include "core/kernel_abi.hpp"
#include "process/signals.hpp"

#include <signal.h>
#include <sys/syscall.h>

#include <cstring>

namespace stasis {

void restore_sigactions(RestoreContext& ctx, const ProcessState& process)
{
    for (const auto& a : process.sigactions) {
        KernelSigaction k{a.handler, a.flags, a.restorer, a.mask};
        ctx.main().checked("rt_sigaction", SYS_rt_sigaction,
                           {static_cast<std::uint64_t>(a.sig), ctx.stage_value(k), 0, kernel_sigset_size});
    }
}

void queue_signal(RestoreContext& ctx, SyscallInjector& inj, const SigInfoBytes& info, pid_t own_tid)
{
    siginfo_t si{};
    std::memcpy(&si, info.bytes.data(), sizeof(si));
    std::uint64_t staged = ctx.stage(std::as_bytes(std::span(info.bytes)));
    auto sig = static_cast<std::uint64_t>(si.si_signo);
    auto own_pid = inj.checked("getpid", SYS_getpid, {});
    if (own_tid != 0) {
        inj.checked("rt_tgsigqueueinfo", SYS_rt_tgsigqueueinfo,
                    {own_pid, static_cast<std::uint64_t>(own_tid), sig, staged});
    } else {
        inj.checked("rt_sigqueueinfo", SYS_rt_sigqueueinfo, {own_pid, sig, staged});
    }
}

}  // namespace stasis
