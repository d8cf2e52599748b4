#include "threads/dump_threads.hpp"

#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"
#include "core/remote_memory.hpp"

#include <linux/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace stasis {

std::vector<SigInfoBytes> to_siginfo_bytes(const std::vector<siginfo_t>& infos)
{
    std::vector<SigInfoBytes> out(infos.size());
    for (std::size_t i = 0; i < infos.size(); ++i) {
        static_assert(sizeof(siginfo_t) == sizeof(out[i].bytes));
        std::memcpy(out[i].bytes.data(), &infos[i], sizeof(siginfo_t));
    }
    return out;
}

ThreadState read_thread(pid_t pid, pid_t tid)
{
    ThreadState t;
    t.tid = tid;
    t.comm = proc::read_comm("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/comm");
    t.regs = ptrace::get_regs(tid);
    t.xstate = ptrace::get_xstate(tid);
    t.sigmask = ptrace::get_sigmask(tid);
    t.pending = to_siginfo_bytes(ptrace::peek_pending(tid, false));
    void* head = nullptr;
    std::size_t len = 0;
    if (::syscall(SYS_get_robust_list, tid, &head, &len) == 0) {
        t.robust_list_head = reinterpret_cast<std::uint64_t>(head);
        t.robust_list_len = len;
    }
    __ptrace_rseq_configuration rseq{};
    if (::ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(rseq), &rseq) > 0) {
        t.rseq_addr = rseq.rseq_abi_pointer;
        t.rseq_size = rseq.rseq_abi_size;
        t.rseq_sig = rseq.signature;
    }
    return t;
}

void read_thread_by_injection(pid_t pid, ThreadState& t, SyscallInjector& inj, std::uint64_t scratch)
{
    inj.checked("prctl(PR_GET_TID_ADDRESS)", SYS_prctl, {PR_GET_TID_ADDRESS, scratch});
    t.clear_child_tid = read_remote_value<std::uint64_t>(pid, scratch);
    inj.checked("sigaltstack", SYS_sigaltstack, {0, scratch});
    auto ss = read_remote_value<stack_t>(pid, scratch);
    t.altstack_sp = reinterpret_cast<std::uint64_t>(ss.ss_sp);
    t.altstack_flags = ss.ss_flags;
    t.altstack_size = ss.ss_size;
    inj.checked("prctl(PR_GET_PDEATHSIG)", SYS_prctl, {PR_GET_PDEATHSIG, scratch});
    t.pdeathsig = read_remote_value<int>(pid, scratch);
}

}  // namespace stasis
