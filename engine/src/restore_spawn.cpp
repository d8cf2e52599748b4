#include "restore_spawn.hpp"

#include "error.hpp"
#include "ptrace_ops.hpp"
#include "unique_fd.hpp"

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

constexpr int spawn_failed = 126;
constexpr int exec_failed = 127;
constexpr int report_timeout_ms = 30000;
constexpr long trace_options = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

// Everything the pre-exec processes need, prepared before the first fork so
// that they only make async-signal-safe calls.
struct Plan {
    const std::vector<ProcessState>* tree = nullptr;
    std::vector<std::vector<std::size_t>> children;
    std::vector<std::vector<FdPlacement>> placements;
    std::vector<TerminalSession> terminal_sessions;
    bool original_ids = false;
    std::vector<SysvSegment> segments;  // created by the namespace's init
    int report_fd = -1;  // datagram socket: each process sends its index; the kernel adds its pid
    int go_fd = -1;      // one byte per process lets it go on to exec
};

std::size_t index_of(const std::vector<ProcessState>& tree, pid_t pid)
{
    auto it = std::find_if(tree.begin(), tree.end(), [pid](const ProcessState& p) { return p.pid == pid; });
    if (it == tree.end()) {
        throw ImageError("the image's process tree is broken: no process " + std::to_string(pid));
    }
    return static_cast<std::size_t>(it - tree.begin());
}

std::vector<FdPlacement> all_placements(const ProcessState& p, const OpenDescriptions& open, const SharedMemory& shared)
{
    if (p.zombie) {
        return {};
    }
    auto placements = placements_for(p, open);
    for (const auto& [inode, target] : shared_memory_fds(p)) {
        placements.push_back({target, shared.at(inode).get()});
    }
    return placements;
}

Plan make_plan(const std::vector<ProcessState>& tree, const OpenDescriptions& open, const SharedMemory& shared,
               const RestoredTerminals& terminals)
{
    Plan plan;
    plan.tree = &tree;
    plan.children.resize(tree.size());
    for (std::size_t i = 1; i < tree.size(); ++i) {
        plan.children[index_of(tree, tree[i].ppid)].push_back(i);
    }
    // A process group's leader must exist before others can join it.
    for (auto& kids : plan.children) {
        std::stable_partition(kids.begin(), kids.end(), [&](std::size_t c) { return tree[c].pgid == tree[c].pid; });
    }
    for (const auto& p : tree) {
        plan.placements.push_back(all_placements(p, open, shared));
    }
    for (const auto& p : tree) {
        for (const auto& seg : p.sysv_segments) {
            if (std::none_of(plan.segments.begin(), plan.segments.end(),
                             [&](const SysvSegment& s) { return s.shmid == seg.shmid; })) {
                plan.segments.push_back(seg);
            }
        }
    }
    plan.original_ids = ::geteuid() == 0 || tree.size() > 1 || !plan.segments.empty();
    plan.terminal_sessions = terminal_sessions(tree, terminals, plan.original_ids);
    return plan;
}

// A process just killed by `dump` may hold its pid a moment longer, until
// its parent reaps it. A single process may do without its old pid; a
// process of a tree may not (its parent waits for that pid).
long clone_process(pid_t wanted, bool pid_required)
{
    constexpr int attempts = 20;
    constexpr timespec pause{0, 50'000'000};
    clone_args args{};
    args.exit_signal = SIGCHLD;
    for (int i = 0; wanted > 0 && i < attempts; ++i) {
        args.set_tid = reinterpret_cast<std::uint64_t>(&wanted);
        args.set_tid_size = 1;
        long pid = ::syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0 || errno != EEXIST) {
            return pid;
        }
        ::nanosleep(&pause, nullptr);
    }
    if (wanted > 0 && pid_required) {
        errno = EEXIST;
        return -1;
    }
    args.set_tid = 0;
    args.set_tid_size = 0;
    return ::syscall(SYS_clone3, &args, sizeof(args));
}

[[noreturn]] void become(const Plan& plan, std::size_t index);

pid_t spawn(const Plan& plan, std::size_t index)
{
    pid_t wanted = plan.original_ids ? (*plan.tree)[index].pid : 0;
    long pid = clone_process(wanted, plan.tree->size() > 1);
    if (pid == 0) {
        become(plan, index);
    }
    return static_cast<pid_t>(pid);
}

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

void join_session_and_group(const Plan& plan, const ProcessState& p)
{
    if (!plan.original_ids) {
        return;
    }
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
void settle_zombie_children(const Plan& plan, std::size_t index, const pid_t* pids)
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
[[noreturn]] void become(const Plan& plan, std::size_t index)
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
    join_session_and_group(plan, p);
    if (!take_controlling_terminal(terminal)) {
        ::_exit(spawn_failed);
    }
    pid_t kids[256];
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
    char* const argv[] = {const_cast<char*>(p.exe.c_str()), nullptr};
    char* const envp[] = {nullptr};
    ::execve(p.exe.c_str(), argv, envp);
    ::_exit(exec_failed);
}

// SysV segments get their saved ids back in the restore's own IPC
// namespace: shm_next_id names the id the next shmget hands out.
bool create_sysv_segments(const Plan& plan)
{
    for (const auto& seg : plan.segments) {
        int fd = ::open("/proc/sys/kernel/shm_next_id", O_WRONLY | O_CLOEXEC);
        char text[16];
        int len = std::snprintf(text, sizeof(text), "%d", seg.shmid);
        bool set = fd >= 0 && ::write(fd, text, static_cast<std::size_t>(len)) == len;
        if (fd >= 0) {
            ::close(fd);
        }
        key_t key = (seg.mode & SHM_DEST) != 0 ? IPC_PRIVATE : seg.key;
        int flags = IPC_CREAT | IPC_EXCL | static_cast<int>(seg.mode & 0777);
        if (!set || ::shmget(key, seg.size, flags) != seg.shmid) {
            return false;
        }
    }
    return true;
}

// pid 1 of the new namespace: starts the root and lives as long as it does,
// so the namespace (and everything in it, SysV segments too) ends with the job.
[[noreturn]] void run_namespace_init(const Plan& plan, int maps_written)
{
    char ready = 0;
    if (::read(maps_written, &ready, 1) != 1 || !create_sysv_segments(plan)) {
        ::_exit(spawn_failed);
    }
    ::close(maps_written);
    pid_t root = spawn(plan, 0);
    if (root < 0) {
        ::_exit(spawn_failed);
    }
    // The tree has its descriptions now; a pipe end held here would keep
    // its reader from ever seeing end-of-file.
    ::syscall(SYS_close_range, 0, ~0U, 0);
    for (;;) {
        int status = 0;
        pid_t ended = ::waitpid(-1, &status, 0);
        if (ended == root) {
            ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        if (ended < 0 && errno != EINTR) {
            ::_exit(spawn_failed);
        }
    }
}

void write_proc_file(pid_t pid, const char* name, const std::string& text)
{
    std::ofstream out("/proc/" + std::to_string(pid) + "/" + name);
    out << text;
    if (!out.flush()) {
        throw sys_error(std::string("cannot write ") + name + " of the restore namespace");
    }
}

// Inside the user namespace the restoring user is itself, uid and gid.
void map_own_ids(pid_t init)
{
    write_proc_file(init, "uid_map", std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1\n");
    write_proc_file(init, "setgroups", "deny\n");
    write_proc_file(init, "gid_map", std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1\n");
}

// Only in a namespace of its own may an ordinary user choose pids (and
// anyone choose SysV ids).
pid_t start_namespace_init(const Plan& plan)
{
    bool as_user = ::geteuid() != 0;
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) < 0) {
        throw sys_error("pipe");
    }
    UniqueFd read_end(sync[0]), write_end(sync[1]);
    clone_args args{};
    args.flags = CLONE_NEWPID | (as_user ? CLONE_NEWUSER : 0) | (plan.segments.empty() ? 0 : CLONE_NEWIPC);
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0) {
        throw sys_error("cannot create the namespaces to restore the processes with their pids and SysV ids");
    }
    if (pid == 0) {
        run_namespace_init(plan, read_end.get());
    }
    auto init = static_cast<pid_t>(pid);
    try {
        if (as_user) {
            map_own_ids(init);
        }
    } catch (...) {
        ::kill(init, SIGKILL);
        ::waitpid(init, nullptr, 0);
        throw;
    }
    if (::write(write_end.get(), "x", 1) != 1) {
        throw sys_error("cannot start the restore namespace");
    }
    return init;
}

// Receives one report per live process: its index, with its pid as stasis
// sees it (the kernel translates SO_PASSCRED credentials across namespaces).
std::vector<pid_t> collect_reports(const std::vector<ProcessState>& tree, int report_fd)
{
    std::vector<pid_t> pids(tree.size(), 0);
    auto live = std::count_if(tree.begin(), tree.end(), [](const ProcessState& p) { return !p.zombie; });
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
    if (::ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr) < 0 || (ptrace::wait_stop(pid) >> 8) != (SIGTRAP | 0x80)) {
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

}  // namespace

void kill_spawned(const SpawnedTree& spawned) noexcept
{
    for (pid_t pid : spawned.pids) {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, __WALL);
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
    Plan plan = make_plan(tree, open, shared, terminals);
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
    bool in_namespace = (::geteuid() != 0 && tree.size() > 1) || !plan.segments.empty();
    spawned.child = in_namespace ? start_namespace_init(plan) : spawn(plan, 0);
    if (spawned.child < 0) {
        spawned.child = 0;
        throw sys_error("cannot create the restored process " + std::to_string(tree.front().pid));
    }
    report_out.reset();
    go_in.reset();
    spawned.pids = collect_reports(tree, report_in.get());
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
