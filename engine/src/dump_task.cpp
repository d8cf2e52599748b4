#include "dump_task.hpp"

#include "error.hpp"
#include "kernel_abi.hpp"
#include "proc.hpp"
#include "ptrace_ops.hpp"
#include "remote_memory.hpp"
#include "syscall_injector.hpp"

#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <span>

namespace stasis {

namespace {

constexpr int rlimit_count = RLIM_NLIMITS;


std::string trimmed(std::string s)
{
    s.erase(s.find_last_not_of(" \n") + 1);
    return s;
}

std::vector<SigInfoBytes> to_bytes(const std::vector<siginfo_t>& infos)
{
    std::vector<SigInfoBytes> out(infos.size());
    for (std::size_t i = 0; i < infos.size(); ++i) {
        std::memcpy(out[i].bytes.data(), &infos[i], sizeof(siginfo_t));
    }
    return out;
}

ThreadState read_thread_directly(pid_t pid, pid_t tid)
{
    ThreadState t;
    t.tid = tid;
    t.comm = trimmed(proc::read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/comm"));
    t.regs = ptrace::get_regs(tid);
    t.xstate = ptrace::get_xstate(tid);
    t.sigmask = ptrace::get_sigmask(tid);
    t.pending = to_bytes(ptrace::peek_pending(tid, false));
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

// State only the thread itself can read: asked by injected syscalls that
// write their answer into a scratch page.
void read_thread_by_injection(pid_t pid, ThreadState& t, SyscallInjector& inj, std::uint64_t scratch)
{
    inj.checked("prctl(PR_GET_TID_ADDRESS)", SYS_prctl, {PR_GET_TID_ADDRESS, scratch});
    t.clear_child_tid = read_remote_value<std::uint64_t>(pid, scratch);
    inj.checked("sigaltstack", SYS_sigaltstack, {0, scratch});
    auto ss = read_remote_value<stack_t>(pid, scratch);
    t.altstack_sp = reinterpret_cast<std::uint64_t>(ss.ss_sp);
    t.altstack_flags = ss.ss_flags;
    t.altstack_size = ss.ss_size;
}

// A signal that arrived while a syscall was injected was held back; it goes
// into the image as pending, and is sent again to the live thread once all
// injection is over, since it must still receive it if it keeps running.
struct HeldSignal {
    pid_t tid;
    int sig;
};

void keep_intercepted(ThreadState& t, SyscallInjector& inj, std::vector<HeldSignal>& held)
{
    for (const auto& info : inj.take_intercepted()) {
        t.pending.push_back(to_bytes({info}).front());
        held.push_back({t.tid, info.si_signo});
    }
}

// mincore answers for the page cache of a shared object, not for this
// process's page tables: pages only the other processes touched count too.
std::vector<bool> resident_pages(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, const Region& r)
{
    std::vector<bool> resident(r.size() / page_size);
    std::vector<std::uint8_t> vec(page_size);
    for (std::uint64_t first = 0; first < resident.size(); first += page_size) {
        std::uint64_t pages = std::min<std::uint64_t>(page_size, resident.size() - first);
        inj.checked("mincore", SYS_mincore, {r.start + first * page_size, pages * page_size, scratch});
        read_remote(pid, scratch, std::as_writable_bytes(std::span(vec.data(), pages)));
        for (std::uint64_t i = 0; i < pages; ++i) {
            resident[first + i] = (vec[i] & 1) != 0;
        }
    }
    return resident;
}

// What a restore needs to create the segment again; only the process itself
// can ask, from inside its IPC namespace.
SysvSegment read_sysv_segment(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, const Region& r)
{
    auto shmid = static_cast<int>(r.inode);
    inj.checked("shmctl(IPC_STAT)", SYS_shmctl, {static_cast<std::uint64_t>(shmid), IPC_STAT, scratch});
    auto ds = read_remote_value<shmid_ds>(pid, scratch);
    return {shmid, ds.shm_perm.__key, ds.shm_segsz, ds.shm_perm.mode};
}

std::uint64_t status_mask(pid_t pid, const char* key)
{
    auto v = proc::status_field(pid, key);
    return v.empty() ? 0 : std::stoull(v, nullptr, 16);
}

std::vector<SigAction> read_sigactions(pid_t pid, SyscallInjector& inj, std::uint64_t scratch)
{
    std::uint64_t interesting = status_mask(pid, "SigCgt") | status_mask(pid, "SigIgn");
    std::vector<SigAction> actions;
    for (int sig = 1; sig <= 64; ++sig) {
        if ((interesting & (1ULL << (sig - 1))) == 0 || sig == SIGKILL || sig == SIGSTOP) {
            continue;
        }
        inj.checked("rt_sigaction", SYS_rt_sigaction, {static_cast<std::uint64_t>(sig), 0, scratch, 8});
        auto k = read_remote_value<KernelSigaction>(pid, scratch);
        actions.push_back({sig, k.handler, k.flags, k.restorer, k.mask});
    }
    return actions;
}

MmState read_mm(pid_t pid, SyscallInjector& inj)
{
    proc::Stat stat(pid);
    MmState mm;
    mm.start_code = stat.field(26);
    mm.end_code = stat.field(27);
    mm.start_stack = stat.field(28);
    mm.start_data = stat.field(45);
    mm.end_data = stat.field(46);
    mm.start_brk = stat.field(47);
    mm.arg_start = stat.field(48);
    mm.arg_end = stat.field(49);
    mm.env_start = stat.field(50);
    mm.env_end = stat.field(51);
    mm.brk = inj.checked("brk", SYS_brk, {0});
    auto auxv = proc::read_text("/proc/" + std::to_string(pid) + "/auxv");
    mm.auxv.resize(auxv.size() / sizeof(std::uint64_t));
    std::memcpy(mm.auxv.data(), auxv.data(), mm.auxv.size() * sizeof(std::uint64_t));
    return mm;
}

void read_identity(ProcessState& p)
{
    std::string dir = "/proc/" + std::to_string(p.pid);
    p.exe = proc::read_link(dir + "/exe");
    p.comm = trimmed(proc::read_text(dir + "/comm"));
    p.cwd = proc::read_link(dir + "/cwd");
    p.umask = static_cast<std::uint32_t>(std::stoul(proc::status_field(p.pid, "Umask"), nullptr, 8));
    proc::Stat stat(p.pid);
    p.ppid = static_cast<pid_t>(stat.field(4));
    p.pgid = static_cast<pid_t>(stat.field(5));
    p.sid = static_cast<pid_t>(stat.field(6));
    for (int r = 0; r < rlimit_count; ++r) {
        rlimit lim{};
        if (::prlimit(p.pid, static_cast<__rlimit_resource>(r), nullptr, &lim) < 0) {
            throw sys_error("cannot read the limits of process " + std::to_string(p.pid));
        }
        p.rlimits.push_back({lim.rlim_cur, lim.rlim_max});
    }
}

}  // namespace

std::uint64_t find_syscall_instruction(pid_t pid, const std::vector<Region>& regions)
{
    for (const auto& r : regions) {
        if (r.kind != RegionKind::vdso) {
            continue;
        }
        std::vector<std::byte> text(r.size());
        read_remote(pid, r.start, text);
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            if (text[i] == std::byte{0x0f} && text[i + 1] == std::byte{0x05}) {
                return r.start + i;
            }
        }
    }
    throw Error("process " + std::to_string(pid) + " has no vDSO with a syscall instruction");
}

ProcessState read_task_state(const FrozenProcess& frozen, std::uint64_t syscall_ip,
                             const std::vector<Region>& regions, SharedResidency& residency)
{
    ProcessState p;
    p.pid = frozen.pid();
    read_identity(p);
    for (pid_t tid : frozen.tids()) {
        p.threads.push_back(read_thread_directly(p.pid, tid));
    }
    p.shared_pending = to_bytes(ptrace::peek_pending(p.pid, true));

    SyscallInjector leader(p.pid, syscall_ip);
    std::uint64_t scratch = leader.checked("mmap of a scratch page", SYS_mmap,
                                           {0, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                            static_cast<std::uint64_t>(-1), 0});
    std::vector<HeldSignal> held;
    std::exception_ptr failure;
    try {
        p.mm = read_mm(p.pid, leader);
        p.sigactions = read_sigactions(p.pid, leader, scratch);
        for (const auto& r : regions) {
            if (is_shared_object(r.kind)) {
                residency[r.start] = resident_pages(p.pid, leader, scratch, r);
            }
            if (r.kind == RegionKind::sysv_shm && r.offset == 0) {
                p.sysv_segments.push_back(read_sysv_segment(p.pid, leader, scratch, r));
            }
        }
        for (auto& t : p.threads) {
            SyscallInjector inj(t.tid, syscall_ip);
            read_thread_by_injection(p.pid, t, inj, scratch);
            keep_intercepted(t, inj, held);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    leader.call(SYS_munmap, {scratch, page_size});
    keep_intercepted(p.threads.front(), leader, held);
    for (const auto& h : held) {
        ::syscall(SYS_tgkill, p.pid, h.tid, h.sig);
    }
    // Put back what the threads were doing; a syscall they were in restarts.
    for (auto& t : p.threads) {
        auto regs = t.regs;
        ptrace::rewind_interrupted_syscall(regs, true);
        ptrace::set_regs(t.tid, regs);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return p;
}

}  // namespace stasis
