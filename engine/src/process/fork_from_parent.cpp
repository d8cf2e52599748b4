#include "process/fork_from_parent.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstddef>
#include <string>

namespace stasis {

namespace {

constexpr long trace_options = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
                               PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK;
// In the host's PID namespace another process may fork between setting the
// next pid and the fork: tried again a few times.
constexpr int attempts = 5;

std::string name_of(const ProcessState& child)
{
    return "process " + std::to_string(child.pid);
}

// One injected fork; the child's pid in the parent's namespace and as
// stasis sees it.
std::pair<long, pid_t> fork_once(RestoreContext& parent, const ProcessState& child)
{
    long got = parent.main().call(SYS_clone, {SIGCHLD, 0, 0, 0, 0});
    auto created = parent.main().take_new_processes();
    if (is_syscall_error(got)) {
        throw sys_error("cannot fork " + name_of(child) + " from its restored parent", static_cast<int>(-got));
    }
    if (created.size() != 1) {
        throw Error("the fork of " + name_of(child) + " from its restored parent was not reported to stasis");
    }
    pid_t seen = created.front();
    int status = ptrace::wait_stop(seen);
    if ((status >> 16) != PTRACE_EVENT_STOP) {
        ::kill(seen, SIGKILL);
        ::waitpid(seen, nullptr, __WALL);
        throw Error("the new " + name_of(child) + " stopped unexpectedly after its fork");
    }
    return {got, seen};
}

// A child that got another pid ends at once, and its parent reaps it and
// takes the SIGCHLD it got: the restored program must not find a child it
// never had.
void discard(RestoreContext& parent, long got, pid_t seen)
{
    ::kill(seen, SIGKILL);
    ::waitpid(seen, nullptr, __WALL);
    parent.main().checked("wait4 of a discarded fork", SYS_wait4, {static_cast<std::uint64_t>(got), 0, 0, 0});
    struct {
        std::uint64_t set;
        timespec none;
    } block{1ULL << (SIGCHLD - 1), {}};
    std::uint64_t at = parent.stage_value(block);
    parent.main().call(SYS_rt_sigtimedwait, {at, 0, at + offsetof(decltype(block), none), sizeof(block.set)});
}

}  // namespace

pid_t fork_from_parent(RestoreContext& parent, const ProcessState& child, NextPid& next_pid)
{
    if (::ptrace(PTRACE_SETOPTIONS, parent.pid(), nullptr, trace_options) < 0) {
        throw sys_error("cannot trace the forks of restored process " + std::to_string(parent.pid()));
    }
    for (int i = 0; i < attempts; ++i) {
        next_pid.set(child.pid);
        auto [got, seen] = fork_once(parent, child);
        if (got == child.pid) {
            return seen;
        }
        discard(parent, got, seen);
    }
    throw Error("cannot give " + name_of(child) + " its pid: other processes keep taking it first");
}

void set_place_and_limits(RestoreContext& ctx, const ProcessState& process)
{
    ctx.main().checked(("chdir to " + process.cwd).c_str(), SYS_chdir, {ctx.stage_string(process.cwd)});
    ctx.main().call(SYS_umask, {process.umask});
    for (std::size_t r = 0; r < process.rlimits.size(); ++r) {
        rlimit limit{process.rlimits[r][0], process.rlimits[r][1]};
        ctx.main().call(SYS_prlimit64, {0, r, ctx.stage_value(limit), 0});
    }
}

}  // namespace stasis
