#include "process/pre_exec.hpp"

#include "core/exit_status.hpp"

#include <linux/sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iterator>

namespace stasis {

namespace {

constexpr int spawn_failed = 126;
constexpr int exec_failed = 127;
// The most children one restored process forks (pids on its stack).
constexpr std::size_t max_children = 256;

// A process just killed by `dump` may hold its pid a moment longer, until
// its parent reaps it. In a PID namespace of the restore's own every pid is
// free; as root, a single process whose pid is still taken does without it,
// a process of a tree may not (its parent waits for that pid).
long clone_process(pid_t wanted, bool pid_required)
{
    constexpr int attempts = 20;
    constexpr timespec pause{0, 50'000'000};
    clone_args args{};
    args.exit_signal = SIGCHLD;
    for (int i = 0; i < attempts; ++i) {
        args.set_tid = reinterpret_cast<std::uint64_t>(&wanted);
        args.set_tid_size = 1;
        long pid = ::syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0 || errno != EEXIST) {
            return pid;
        }
        ::nanosleep(&pause, nullptr);
    }
    if (pid_required) {
        errno = EEXIST;
        return -1;
    }
    args.set_tid = 0;
    args.set_tid_size = 0;
    return ::syscall(SYS_clone3, &args, sizeof(args));
}

[[noreturn]] void become(const SpawnPlan& plan, std::size_t index);

[[noreturn]] void exit_like(int wait_status)
{
    if (WIFSIGNALED(wait_status)) {
        int sig = WTERMSIG(wait_status);
        ::signal(sig, SIG_DFL);
        sigset_t one;
        ::sigemptyset(&one);
        ::sigaddset(&one, sig);
        ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
        ::kill(::getpid(), sig);
    }
    ::_exit(WEXITSTATUS(wait_status));
}

void join_session_and_group(const ProcessState& p)
{
    // Failures leave the process in its parent's session and group: the
    // saved leader lies outside the tree.
    if (p.sid == p.pid) {
        ::setsid();
    } else if (p.pgid == p.pid) {
        ::setpgid(0, 0);
    } else {
        ::setpgid(0, p.pgid);
    }
}

// A zombie child must have exited before its parent's program runs again,
// and the SIGCHLD that reported it belongs to the past.
void settle_zombie_children(const SpawnPlan& plan, std::size_t index, const pid_t* pids)
{
    const auto& kids = plan.children[index];
    bool any = false;
    for (std::size_t k = 0; k < kids.size(); ++k) {
        if ((*plan.tree)[kids[k]].zombie) {
            siginfo_t info{};
            ::waitid(P_PID, static_cast<id_t>(pids[k]), &info, WEXITED | WNOWAIT);
            any = true;
        }
    }
    if (any) {
        sigset_t chld;
        ::sigemptyset(&chld);
        ::sigaddset(&chld, SIGCHLD);
        timespec zero{};
        while (::sigtimedwait(&chld, nullptr, &zero) > 0) {
        }
    }
}

void apply_process_attributes(const ProcessState& p)
{
    if (::chdir(p.cwd.c_str()) < 0) {
        ::_exit(spawn_failed);
    }
    ::umask(p.umask);
    for (std::size_t r = 0; r < p.rlimits.size(); ++r) {
        rlimit lim{p.rlimits[r][0], p.rlimits[r][1]};
        ::setrlimit(static_cast<__rlimit_resource>(r), &lim);  // raising a hard limit may fail; keep ours then
    }
}

// The life of a restored process between fork and exec.
[[noreturn]] void become(const SpawnPlan& plan, std::size_t index)
{
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    const auto& p = (*plan.tree)[index];
    if (p.zombie) {
        exit_like(p.wait_status);
    }
    const auto& terminal = plan.terminal_sessions[index];
    start_terminal_session(terminal);
    join_session_and_group(p);
    if (!take_controlling_terminal(terminal)) {
        ::_exit(spawn_failed);
    }
    pid_t kids[max_children];
    const auto& children = plan.children[index];
    if (children.size() > std::size(kids)) {
        ::_exit(spawn_failed);
    }
    for (std::size_t k = 0; k < children.size(); ++k) {
        kids[k] = spawn(plan, children[k]);
        if (kids[k] < 0) {
            ::_exit(spawn_failed);
        }
    }
    settle_zombie_children(plan, index, kids);
    auto message = static_cast<std::uint32_t>(index);
    char go = 0;
    if (::write(plan.report_fd, &message, sizeof(message)) != sizeof(message) || ::read(plan.go_fd, &go, 1) != 1) {
        ::_exit(spawn_failed);
    }
    hand_foreground(terminal);  // every process of the tree has joined its group by now
    if (!install_fds(plan.placements[index])) {
        ::_exit(spawn_failed);
    }
    apply_process_attributes(p);
    const auto& line = plan.exec_lines[index];
    ::execve(line.path, line.argv.data(), line.envp.data());
    ::_exit(exec_failed);
}

}  // namespace

pid_t spawn(const SpawnPlan& plan, std::size_t index)
{
    long pid = clone_process((*plan.tree)[index].pid, plan.tree->size() > 1);
    if (pid == 0) {
        become(plan, index);
    }
    return static_cast<pid_t>(pid);
}

}  // namespace stasis
