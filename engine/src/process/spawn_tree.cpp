#include "process/spawn_tree.hpp"

#include "core/kernel_abi.hpp"
#include "process/namespace_init.hpp"
#include "process/pre_exec.hpp"
#include "process/next_pid.hpp"

#include "core/error.hpp"
#include "core/ptrace_ops.hpp"
#include "core/proc.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace stasis {

namespace {

constexpr int report_timeout_ms = 30000;
constexpr long trace_options = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

// Receives one report per live process: its index, with its pid as stasis
// sees it (the kernel translates SO_PASSCRED credentials across namespaces).
std::vector<pid_t> collect_reports(const SpawnPlan& plan, int report_fd)
{
    const auto& tree = *plan.tree;
    std::vector<pid_t> pids(tree.size(), 0);
    long live = 0;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        live += !tree[i].zombie && !plan.by_fork[i] ? 1 : 0;
    }
    for (long received = 0; received < live; ++received) {
        pollfd pfd{report_fd, POLLIN, 0};
        if (::poll(&pfd, 1, report_timeout_ms) != 1) {
            throw Error("the processes of the restored tree did not start (a cwd, fd or pid could not be restored)");
        }
        std::uint32_t index = 0;
        iovec iov{&index, sizeof(index)};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        cmsghdr* cmsg = nullptr;
        if (::recvmsg(report_fd, &msg, 0) != sizeof(index) || index >= tree.size() ||
            (cmsg = CMSG_FIRSTHDR(&msg)) == nullptr || cmsg->cmsg_type != SCM_CREDENTIALS) {
            throw Error("a process of the restored tree sent a malformed report");
        }
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
        pids[index] = cred.pid;
    }
    return pids;
}

void wait_for_exec(pid_t pid, const ProcessState& p)
{
    int status = 0;
    try {
        status = ptrace::wait_stop(pid);
    } catch (const Error&) {
        throw Error("cannot start " + p.exe + " to restore process " + std::to_string(p.pid) + " into");
    }
    if ((status >> 8) != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
        throw Error("the new process for " + p.exe + " stopped unexpectedly");
    }
    // The exec event comes from inside execve; let the call return, so that
    // the next stop under PTRACE_SYSCALL is an injected call's entry.
    if (::ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr) < 0 || (ptrace::wait_stop(pid) >> 8) != syscall_stop_signal) {
        throw Error("the new process for " + p.exe + " did not finish its exec");
    }
}

class SpawnGuard {
public:
    explicit SpawnGuard(SpawnedTree& spawned) : spawned_(spawned) {}
    ~SpawnGuard()
    {
        if (armed_) {
            kill_spawned(spawned_);
        }
    }
    SpawnGuard(const SpawnGuard&) = delete;
    SpawnGuard& operator=(const SpawnGuard&) = delete;
    void disarm() { armed_ = false; }

private:
    SpawnedTree& spawned_;
    bool armed_ = true;
};

// The threads a restore created are stasis's tracees: stasis must reap
// them before the killed process itself can be reaped.
void reap_killed(pid_t pid) noexcept
{
    try {
        for (pid_t tid : proc::threads(pid)) {
            if (tid != pid) {
                ::waitpid(tid, nullptr, __WALL);
            }
        }
    } catch (const Error&) {  // NOLINT(bugprone-empty-catch): gone already; the leader's wait is all there is
    }
    ::waitpid(pid, nullptr, __WALL);
}

std::pair<UniqueFd, UniqueFd> socket_pair(int type, const char* what)
{
    int ends[2];
    if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, ends) < 0) {
        throw sys_error(std::string("cannot create ") + what);
    }
    return {UniqueFd(ends[0]), UniqueFd(ends[1])};
}

// Each parent of processes forked from it holds one end of a socket, above
// every fd it and they have, for them to inherit: stasis sends each forked
// child its descriptions through it (a forked parent keeps the one it
// inherited, at its own number). Returns the parents' end, which must stay
// open until they have exec'd.
UniqueFd prepare_forks(SpawnPlan& plan, ForkHandover& forks)
{
    const auto& tree = *plan.tree;
    forks.by_fork = plan.by_fork;
    forks.placements.resize(tree.size());
    forks.channel_at.assign(tree.size(), -1);
    if (std::none_of(plan.by_fork.begin(), plan.by_fork.end(), [](bool b) { return b; })) {
        return {};
    }
    auto [ours, theirs] = socket_pair(SOCK_DGRAM, "the socket that hands forked processes their fds");
    auto highest = [&](std::size_t i) {
        int high = -1;
        for (const auto& placement : plan.placements[i]) {
            high = std::max(high, placement.target);
        }
        return high;
    };
    for (std::size_t i = 0; i < tree.size(); ++i) {
        if (plan.by_fork[i]) {
            forks.placements[i] = plan.placements[i];
            const std::size_t parent = plan.parent[i];
            forks.channel_at[parent] = std::max({forks.channel_at[parent], highest(parent) + 1, highest(i) + 1});
        }
    }
    for (std::size_t i = 0; i < tree.size(); ++i) {
        if (forks.channel_at[i] >= 0 && !plan.by_fork[i]) {
            plan.placements[i].push_back({forks.channel_at[i], theirs.get()});
        }
    }
    forks.channel = std::move(ours);
    return std::move(theirs);
}

}  // namespace

void kill_spawned(const SpawnedTree& spawned) noexcept
{
    for (pid_t pid : spawned.pids) {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            reap_killed(pid);
        }
    }
    if (spawned.child > 0) {
        ::kill(spawned.child, SIGKILL);
        ::waitpid(spawned.child, nullptr, 0);
    }
}

SpawnedTree spawn_tree(const std::vector<ProcessState>& tree, const OpenDescriptions& open,
                       const SharedMemory& shared, const RestoredTerminals& terminals)
{
    SpawnPlan plan = make_spawn_plan(tree, open, shared, terminals);
    int sockets[2], go[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sockets) < 0 || ::pipe2(go, O_CLOEXEC) < 0) {
        throw sys_error("cannot create the restore handshake");
    }
    UniqueFd report_in(sockets[0]), report_out(sockets[1]), go_in(go[0]), go_out(go[1]);
    int on = 1;
    ::setsockopt(report_in.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    plan.report_fd = report_out.get();
    plan.go_fd = go_in.get();

    SpawnedTree spawned;
    SpawnGuard guard(spawned);
    UniqueFd parents_channel = prepare_forks(plan, spawned.forks);
    UniqueFd init_control;
    if (parents_channel.valid() && needs_namespace(plan)) {
        auto [ours, init_end] = socket_pair(SOCK_SEQPACKET, "the socket to the restore namespace's init");
        spawned.forks.next_pid = NextPid(std::move(ours));
        init_control = std::move(init_end);
        plan.next_pid_control = init_control.get();
    }
    spawned.child = needs_namespace(plan) ? start_namespace_init(plan) : spawn(plan, 0);
    if (spawned.child < 0) {
        spawned.child = 0;
        throw sys_error("cannot create the restored process " + std::to_string(tree.front().pid));
    }
    init_control.reset();
    report_out.reset();
    go_in.reset();
    spawned.pids = collect_reports(plan, report_in.get());
    for (pid_t pid : spawned.pids) {
        if (pid > 0 && ::ptrace(PTRACE_SEIZE, pid, nullptr, trace_options) < 0) {
            throw sys_error("cannot trace restored process " + std::to_string(pid));
        }
    }
    for (pid_t pid : spawned.pids) {
        if (pid > 0 && ::write(go_out.get(), "g", 1) != 1) {
            throw sys_error("cannot release the restored tree to exec");
        }
    }
    for (std::size_t i = 0; i < tree.size(); ++i) {
        if (spawned.pids[i] > 0) {
            wait_for_exec(spawned.pids[i], tree[i]);
        }
    }
    guard.disarm();
    return spawned;
}

}  // namespace stasis
