#include "process/namespace_init.hpp"

#include "core/error.hpp"
#include "core/exit_status.hpp"
#include <stasis/unique_fd.hpp>
#include "process/next_pid.hpp"
#include "process/pre_exec.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace stasis {

namespace {

constexpr int spawn_failed = 126;

void close_all_but(int kept)
{
    if (kept < 0) {
        ::syscall(SYS_close_range, 0, ~0U, 0);
        return;
    }
    if (kept > 0) {
        ::syscall(SYS_close_range, 0, kept - 1, 0);
    }
    ::syscall(SYS_close_range, kept + 1, ~0U, 0);
}

// pid 1 of the new namespace: starts the root and lives as long as it does,
// so the namespace (and everything in it, SysV segments too) ends with the job.
[[noreturn]] void run_namespace_init(const SpawnPlan& plan, int maps_written)
{
    char ready = 0;
    if (::read(maps_written, &ready, 1) != 1 || !create_sysv_segments(plan.segments)) {
        ::_exit(spawn_failed);
    }
    ::close(maps_written);
    pid_t root = spawn(plan, 0);
    if (root < 0) {
        ::_exit(spawn_failed);
    }
    // The tree has its descriptions now; a pipe end held here would keep
    // its reader from ever seeing end-of-file.
    close_all_but(plan.next_pid_control);
    if (plan.next_pid_control >= 0) {
        serve_next_pid_requests(plan.next_pid_control);
        ::close(plan.next_pid_control);
    }
    for (;;) {
        int status = 0;
        pid_t ended = waitpid_uninterrupted(-1, status, 0);
        if (ended == root) {
            ::_exit(shell_exit_status(status));
        }
        if (ended < 0) {
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

}  // namespace

pid_t start_namespace_init(const SpawnPlan& plan)
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

}  // namespace stasis
