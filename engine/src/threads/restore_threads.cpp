#include "threads/restore_threads.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"
#include "core/remote_memory.hpp"
#include "process/signals.hpp"

#include <linux/prctl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <thread>

namespace stasis {

namespace {


constexpr std::uint64_t thread_clone_flags =
    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;

// Root may ask for the saved TID (clone3 set_tid); it gets a new one when
// that TID is taken, and so does everyone else.
void clone_thread(RestoreContext& ctx, pid_t wanted)
{
    if (::geteuid() == 0) {
        struct {
            clone_args args;
            pid_t tid;
        } block{};
        block.args.flags = thread_clone_flags;
        block.args.set_tid = ctx.scratch_address() + offsetof(decltype(block), tid);
        block.args.set_tid_size = 1;
        block.tid = wanted;
        if (ctx.main().call(SYS_clone3, {ctx.stage_value(block), sizeof(clone_args)}) >= 0) {
            return;
        }
    }
    ctx.main().checked("clone of a thread", SYS_clone, {thread_clone_flags, 0, 0, 0, 0});
}

pid_t create_thread(RestoreContext& ctx, pid_t wanted)
{
    clone_thread(ctx, wanted);
    auto created = ctx.main().take_new_threads();
    if (created.size() != 1) {
        throw Error("the restored process did not report its new thread");
    }
    ptrace::wait_stop(created.front());  // its first stop, before any user code
    return created.front();
}

// glibc caches each thread's TID in its thread descriptor, at the address it
// registered as clear_child_tid; pthread_kill and raise use that copy.
// own_tid is the tid as the thread itself sees it (inside its namespace).
void update_cached_tid(pid_t pid, const ThreadState& saved, pid_t own_tid)
{
    if (saved.clear_child_tid == 0) {
        return;
    }
    if (read_remote_value<std::int32_t>(pid, saved.clear_child_tid) == saved.tid) {
        write_remote_value<std::int32_t>(pid, saved.clear_child_tid, own_tid);
    }
}

void restore_registrations(RestoreContext& ctx, const ThreadState& saved, pid_t tid, bool parent_restored)
{
    SyscallInjector inj(tid, ctx.area_base());
    auto own_tid = static_cast<pid_t>(inj.checked("set_tid_address", SYS_set_tid_address, {saved.clear_child_tid}));
    if (saved.robust_list_head != 0) {
        inj.checked("set_robust_list", SYS_set_robust_list, {saved.robust_list_head, saved.robust_list_len});
    }
    if (saved.rseq_addr != 0) {
        inj.checked("rseq registration", SYS_rseq, {saved.rseq_addr, saved.rseq_size, 0, saved.rseq_sig});
    }
    if ((saved.altstack_flags & SS_DISABLE) == 0) {
        stack_t ss{};
        ss.ss_sp = reinterpret_cast<void*>(saved.altstack_sp);
        ss.ss_size = saved.altstack_size;
        ss.ss_flags = saved.altstack_flags & ~SS_ONSTACK;
        inj.checked("sigaltstack", SYS_sigaltstack, {ctx.stage_value(ss), 0});
    }
    inj.checked("prctl(PR_SET_NAME)", SYS_prctl, {PR_SET_NAME, ctx.stage_string(saved.comm)});
    if (saved.pdeathsig != 0 && parent_restored) {
        inj.checked("prctl(PR_SET_PDEATHSIG)", SYS_prctl, {PR_SET_PDEATHSIG, static_cast<std::uint64_t>(saved.pdeathsig)});
    }
    update_cached_tid(ctx.pid(), saved, own_tid);
    for (const auto& info : saved.pending) {
        queue_signal(ctx, inj, info, own_tid);
    }
}

}  // namespace

std::vector<pid_t> restore_threads(RestoreContext& ctx, const ProcessState& process, bool parent_restored)
{
    std::vector<pid_t> tids{ctx.pid()};
    for (std::size_t i = 1; i < process.threads.size(); ++i) {
        tids.push_back(create_thread(ctx, process.threads[i].tid));
    }
    for (std::size_t i = 0; i < process.threads.size(); ++i) {
        restore_registrations(ctx, process.threads[i], tids[i], parent_restored);
    }
    for (const auto& info : process.shared_pending) {
        queue_signal(ctx, ctx.main(), info, 0);
    }
    return tids;
}

void wait_stopped_again(pid_t pid, const std::vector<pid_t>& tids)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    try {
        for (pid_t tid : tids) {
            while (proc::Stat::of_task(pid, tid).state() != 'T') {
                if (std::chrono::steady_clock::now() > deadline) {
                    spdlog::warn("process {}: thread {} did not stop again within 5 s of its restore", pid, tid);
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
    } catch (const Error&) {
        // Gone (killed meanwhile): nothing is left to find it running.
    }
}

void release_threads(const ProcessState& process, const std::vector<pid_t>& tids)
{
    for (std::size_t i = 0; i < tids.size(); ++i) {
        const auto& saved = process.threads[i];
        ptrace::set_sigmask(tids[i], saved.sigmask);
        ptrace::set_xstate(tids[i], saved.xstate);
        auto regs = saved.regs;
        ptrace::rewind_interrupted_syscall(regs, false);
        ptrace::set_regs(tids[i], regs);
    }
    // A process stopped by job control at the checkpoint stops again as it
    // is let go: the signal waits while it is traced, so it runs nothing
    // first. The leader goes first and stops the other threads with it.
    if (process.stopped_by != 0) {
        ::kill(tids.front(), SIGSTOP);
    }
    for (pid_t tid : tids) {
        if (::ptrace(PTRACE_DETACH, tid, nullptr, nullptr) < 0) {
            throw sys_error("releasing restored thread " + std::to_string(tid));
        }
    }
}

}  // namespace stasis
