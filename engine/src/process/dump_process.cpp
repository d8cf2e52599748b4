#include "process/dump_process.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"
#include "core/syscall_injector.hpp"
#include "memory/dump_memory.hpp"
#include "process/injection_area.hpp"
#include "process/process_attributes.hpp"
#include "process/signals.hpp"
#include "threads/dump_threads.hpp"
#include "timers/dump_timers.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stasis {

namespace {

// A signal that arrived while a syscall was injected was held back; it goes
// into the image as pending, and is sent again to the live thread once all
// injection is over, since it must still receive it if it keeps running.
struct HeldSignal {
    pid_t tid;
    int sig;
};

void keep_intercepted(ThreadState& t, const std::vector<siginfo_t>& intercepted, std::vector<HeldSignal>& held)
{
    for (const auto& info : intercepted) {
        t.pending.push_back(to_siginfo_bytes({info}).front());
        held.push_back({t.tid, info.si_signo});
    }
}

void read_identity(ProcessState& p)
{
    std::string dir = "/proc/" + std::to_string(p.pid);
    p.exe = proc::read_link(dir + "/exe");
    p.comm = proc::read_comm(dir + "/comm");
    p.cwd = proc::read_link(dir + "/cwd");
    p.umask = static_cast<std::uint32_t>(std::stoul(proc::status_field(p.pid, "Umask"), nullptr, 8));
    proc::Stat stat(p.pid);
    p.ppid = static_cast<pid_t>(stat.field(proc::StatField::ppid));
    p.pgid = static_cast<pid_t>(stat.field(proc::StatField::pgrp));
    p.sid = static_cast<pid_t>(stat.field(proc::StatField::session));
    for (int r = 0; r < RLIM_NLIMITS; ++r) {
        rlimit lim{};
        if (::prlimit(p.pid, static_cast<__rlimit_resource>(r), nullptr, &lim) < 0) {
            throw sys_error("cannot read the limits of process " + std::to_string(p.pid));
        }
        p.rlimits.push_back({lim.rlim_cur, lim.rlim_max});
    }
}

}  // namespace

ProcessState read_task_state(const FrozenProcess& frozen, std::uint64_t syscall_ip, const ProcessState& surveyed,
                             SharedResidency& residency, WriteTracking* tracking)
{
    const auto& regions = surveyed.regions;
    ProcessState p;
    p.pid = frozen.pid();
    read_identity(p);
    for (pid_t tid : frozen.tids()) {
        p.threads.push_back(read_thread(p.pid, tid));
    }
    p.shared_pending = to_siginfo_bytes(ptrace::peek_pending(p.pid, true));
    p.timers = surveyed.timers;

    InjectionArea area(p.pid, syscall_ip, p.threads.front(), regions);
    std::uint64_t scratch = area.scratch();
    std::vector<HeldSignal> held;
    std::exception_ptr failure;
    try {
        auto leader = area.injector_for(p.threads.front());
        p.mm = read_mm(p.pid, leader);
        p.sigactions = read_sigactions(p.pid, leader, scratch);
        p.attributes = read_process_attributes(p.pid, leader, scratch);
        residency = read_shared_residency(p.pid, leader, scratch, regions);
        p.sysv_segments = read_sysv_segments(p.pid, leader, scratch, regions);
        read_timer_times(p.pid, leader, scratch, p.timers);
        if (tracking) {
            tracking->adopt(p.pid, leader);
        }
        keep_intercepted(p.threads.front(), leader.take_intercepted(), held);
        for (auto& t : p.threads) {
            auto inj = area.injector_for(t);
            read_thread_by_injection(p.pid, t, inj, scratch);
            area.check_way_home(inj, t);
            keep_intercepted(t, inj.take_intercepted(), held);
        }
        area.unmap();
    } catch (...) {
        failure = std::current_exception();
        area.unmap_quietly();
    }
    keep_intercepted(p.threads.front(), area.take_intercepted(), held);
    for (const auto& h : held) {
        ::syscall(SYS_tgkill, p.pid, h.tid, h.sig);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return p;
}

ProcessState relaunch_state(const FrozenProcess& frozen, std::vector<FdState> fds)
{
    ProcessState p;
    p.pid = frozen.pid();
    read_identity(p);
    auto dir = "/proc/" + std::to_string(p.pid);
    p.relaunch = Relaunch{proc::read_nul_separated(dir + "/cmdline"), proc::read_nul_separated(dir + "/environ")};
    if (p.relaunch->argv.empty()) {
        throw Error("process " + std::to_string(p.pid) + " (" + p.exe + ") is to be started anew, but has no arguments");
    }
    p.fds = std::move(fds);
    return p;
}

ProcessState zombie_state(const Zombie& zombie)
{
    ProcessState p;
    p.pid = zombie.pid;
    p.ppid = zombie.ppid;
    p.zombie = true;
    p.wait_status = zombie.wait_status;
    proc::Stat stat(zombie.pid);
    p.pgid = static_cast<pid_t>(stat.field(proc::StatField::pgrp));
    p.sid = static_cast<pid_t>(stat.field(proc::StatField::session));
    return p;
}

}  // namespace stasis
