#include "restore.hpp"

#include "error.hpp"
#include "image/chunk_reader.hpp"
#include "image/generation.hpp"
#include "ptrace_ops.hpp"
#include "restore_context.hpp"
#include "restore_files.hpp"
#include "restore_memory.hpp"
#include "restore_threads.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace stasis {

namespace {

constexpr int exit_status_signal_base = 128;

// Refuses what a restore must never run, before anything is started.
void check_executable(const ProcessState& p)
{
    struct stat st {};
    if (::stat(p.exe.c_str(), &st) < 0) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its program " + p.exe);
    }
    if ((st.st_mode & (S_ISUID | S_ISGID)) != 0 ||
        ::getxattr(p.exe.c_str(), "security.capability", nullptr, 0) >= 0) {
        throw Error("refusing to restore " + p.exe + ": it is a setuid, setgid or file-capability program");
    }
    struct stat cwd {};
    if (::stat(p.cwd.c_str(), &cwd) < 0 || !S_ISDIR(cwd.st_mode)) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its working directory " + p.cwd);
    }
}

void check_cpu(pid_t child, const Checkpoint& checkpoint)
{
    auto xstate = ptrace::get_xstate(child);
    std::uint64_t here = ptrace::xcr0_of(xstate);
    std::uint64_t missing = checkpoint.cpu.xcr0 & ~here;
    if (missing != 0 || xstate.size() != checkpoint.cpu.xsave_size) {
        std::ostringstream s;
        s << "this CPU cannot hold the checkpointed register state: XSAVE features 0x" << std::hex << missing
          << " missing (image XCR0 0x" << checkpoint.cpu.xcr0 << ", here 0x" << here << std::dec << "; XSAVE size "
          << checkpoint.cpu.xsave_size << " vs " << xstate.size() << ")";
        throw Error(s.str());
    }
}

// The new process, between fork and exec: only async-signal-safe calls.
[[noreturn]] void become_restore_target(const ProcessState& p, std::vector<PreparedFd>& fds)
{
    if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) < 0 || !install_fds(fds) || ::chdir(p.cwd.c_str()) < 0) {
        ::_exit(126);
    }
    ::umask(p.umask);
    for (std::size_t r = 0; r < p.rlimits.size(); ++r) {
        rlimit lim{p.rlimits[r][0], p.rlimits[r][1]};
        ::setrlimit(static_cast<__rlimit_resource>(r), &lim);  // raising a hard limit may fail; keep ours then
    }
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::kill(::getpid(), SIGSTOP);
    char* const argv[] = {const_cast<char*>(p.exe.c_str()), nullptr};
    char* const envp[] = {nullptr};
    ::execve(p.exe.c_str(), argv, envp);
    ::_exit(127);
}

// Root restores the saved pid when it is free (clone3 set_tid); otherwise
// the process gets a new one.
pid_t fork_with_pid(pid_t wanted)
{
    // A process just killed by `dump` may hold its pid a moment longer,
    // until its parent reaps it.
    constexpr int attempts = 20;
    constexpr useconds_t pause = 50000;
    for (int i = 0; i < attempts && ::geteuid() == 0; ++i) {
        clone_args args{};
        args.exit_signal = SIGCHLD;
        args.set_tid = reinterpret_cast<std::uint64_t>(&wanted);
        args.set_tid_size = 1;
        long pid = ::syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0 || errno != EEXIST) {
            return static_cast<pid_t>(pid);
        }
        ::usleep(pause);
    }
    return ::fork();
}

// Kills a half-restored process unless it was handed over.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ~ChildGuard()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, __WALL);
        }
    }
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    pid_t release() { return std::exchange(pid_, 0); }

private:
    pid_t pid_;
};

void wait_for_exec(pid_t child, const ProcessState& p)
{
    int status = ptrace::wait_stop(child);  // the SIGSTOP it raised itself
    constexpr long options =
        PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;
    if (!WIFSTOPPED(status) || ::ptrace(PTRACE_SETOPTIONS, child, nullptr, options) < 0 ||
        ::ptrace(PTRACE_CONT, child, nullptr, nullptr) < 0) {
        throw Error("cannot take control of the new process for " + p.exe);
    }
    try {
        status = ptrace::wait_stop(child);
    } catch (const Error&) {
        throw Error("cannot start " + p.exe + " to restore into (fds, working directory or exec failed)");
    }
    if ((status >> 8) != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
        throw Error("the new process for " + p.exe + " stopped unexpectedly");
    }
    // The exec event comes from inside execve; let the call return, so that
    // the next stop under PTRACE_SYSCALL is an injected call's entry.
    if (::ptrace(PTRACE_SYSCALL, child, nullptr, nullptr) < 0 || (ptrace::wait_stop(child) >> 8) != (SIGTRAP | 0x80)) {
        throw Error("the new process for " + p.exe + " did not finish its exec");
    }
}

void set_close_on_exec(RestoreContext& ctx, const ProcessState& p)
{
    for (const auto& fd : p.fds) {
        if ((fd.flags & O_CLOEXEC) != 0) {
            ctx.main().checked("fcntl(F_SETFD)", SYS_fcntl, {static_cast<std::uint64_t>(fd.fd), F_SETFD, FD_CLOEXEC});
        }
    }
}

// Starts a new process and turns it into the checkpointed one; returns its
// pid once it runs.
pid_t restore_process(const Checkpoint& checkpoint, const ProcessState& p, const image::ChunkReader& reader)
{
    check_executable(p);
    auto fds = prepare_fds(p);
    pid_t child = fork_with_pid(p.pid);
    if (child < 0) {
        throw sys_error("fork");
    }
    if (child == 0) {
        become_restore_target(p, fds);
    }
    ChildGuard guard(child);
    fds.clear();
    wait_for_exec(child, p);
    check_cpu(child, checkpoint);
    RestoreContext ctx(child, 0);
    rebuild_address_space(ctx, p, reader);
    restore_sigactions(ctx, p);
    set_close_on_exec(ctx, p);
    auto tids = restore_threads(ctx, p);
    unmap_injection_area(ctx);
    release_threads(p, tids);
    return guard.release();
}

void write_pidfile(const std::string& path, pid_t pid)
{
    if (path.empty()) {
        return;
    }
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << pid << "\n";
        if (!out.flush()) {
            throw sys_error("cannot write pid file " + path);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        throw sys_error("cannot write pid file " + path);
    }
}

int wait_for_exit(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw sys_error("waiting for the restored process");
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : exit_status_signal_base + WTERMSIG(status);
}

Checkpoint load_checkpoint(const std::filesystem::path& dir)
{
    Checkpoint checkpoint = image::load_manifest(dir).get<Checkpoint>();
    if (checkpoint.processes.size() != 1) {
        throw ImageError(dir.string() + " holds a process tree; this stasis restores single processes only");
    }
    return checkpoint;
}

}  // namespace

pid_t start_restored(const std::filesystem::path& dir)
{
    auto checkpoint = load_checkpoint(dir);
    image::ChunkReader reader(dir);
    return restore_process(checkpoint, checkpoint.processes.front(), reader);
}

int restore(const RestoreOptions& options)
{
    if (!options.detach) {
        pid_t pid = start_restored(options.dir);
        write_pidfile(options.pidfile, pid);
        return wait_for_exit(pid);
    }
    // Detached: an intermediate process restores and exits, so the restored
    // one is not our child and we can return at once.
    pid_t middle = ::fork();
    if (middle < 0) {
        throw sys_error("fork");
    }
    if (middle == 0) {
        try {
            write_pidfile(options.pidfile, start_restored(options.dir));
            ::_exit(0);
        } catch (const std::exception& e) {
            std::cerr << "stasis: " << e.what() << "\n";
            ::_exit(1);
        }
    }
    return wait_for_exit(middle);
}

}  // namespace stasis
