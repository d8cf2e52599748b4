#include "restore.hpp"

#include "anon_inode_fds.hpp"
#include "error.hpp"
#include "image/chunk_reader.hpp"
#include "image/generation.hpp"
#include "kept_output.hpp"
#include "ptrace_ops.hpp"
#include "restore_context.hpp"
#include "restore_files.hpp"
#include "restore_memory.hpp"
#include "restore_shared_memory.hpp"
#include "restore_spawn.hpp"
#include "restore_terminal.hpp"
#include "restore_threads.hpp"
#include "terminal_relay.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>
#include <set>
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

void set_close_on_exec(RestoreContext& ctx, const ProcessState& p)
{
    for (const auto& fd : p.fds) {
        if ((fd.flags & O_CLOEXEC) != 0) {
            ctx.main().checked("fcntl(F_SETFD)", SYS_fcntl, {static_cast<std::uint64_t>(fd.fd), F_SETFD, FD_CLOEXEC});
        }
    }
}

// An epoll shared by several processes gets its watches once, from the
// first of them; they name that process's fd numbers.
void restore_epolls(RestoreContext& ctx, const ProcessState& p, std::set<int>& epolls_done)
{
    for (const auto& fd : p.fds) {
        if (fd.kind == FdKind::epoll && epolls_done.insert(fd.description).second) {
            restore_epoll_watches(ctx, fd);
        }
    }
}

// Turns one freshly exec'd process into its checkpointed self, up to the
// point where only its registers remain to be set. Returns its threads.
std::vector<pid_t> rebuild_process(pid_t pid, const ProcessState& p, const image::ChunkReader& reader,
                                   std::set<int>& epolls_done)
{
    RestoreContext ctx(pid, 0);
    ctx.set_shared_memory_fds(shared_memory_fds(p));
    rebuild_address_space(ctx, p, reader);
    restore_sigactions(ctx, p);
    set_close_on_exec(ctx, p);
    restore_epolls(ctx, p, epolls_done);
    auto tids = restore_threads(ctx, p);
    unmap_injection_area(ctx);
    return tids;
}

struct RestoredTree {
    pid_t root = 0;         // the restored root process, as stasis sees it
    pid_t child = 0;        // stasis's own child: the root, or its namespace's init
    std::vector<Pty> ptys;  // the tree's terminals, for `stasis restore` to relay
};

// Nothing runs until every process of the tree is complete, so no process
// sees a half-restored peer. Without ptys, the tree's terminal fds get
// stasis's own fds 0-2 (restore_files.hpp).
RestoredTree restore_tree(const Checkpoint& checkpoint, const image::ChunkReader& reader, bool with_ptys)
{
    for (const auto& p : checkpoint.processes) {
        if (!p.zombie) {
            check_executable(p);
        }
    }
    auto terminals = with_ptys ? RestoredTerminals(checkpoint.processes) : RestoredTerminals();
    auto open = open_descriptions(checkpoint, terminals);
    auto shared = create_shared_memory(checkpoint, reader);
    auto spawned = spawn_tree(checkpoint.processes, open, shared, terminals);
    open.clear();
    shared.clear();
    try {
        check_cpu(spawned.pids.front(), checkpoint);
        std::vector<std::vector<pid_t>> threads(checkpoint.processes.size());
        std::set<int> epolls_done;
        for (std::size_t i = 0; i < checkpoint.processes.size(); ++i) {
            if (spawned.pids[i] > 0) {
                threads[i] = rebuild_process(spawned.pids[i], checkpoint.processes[i], reader, epolls_done);
            }
        }
        for (std::size_t i = 0; i < checkpoint.processes.size(); ++i) {
            if (spawned.pids[i] > 0) {
                release_threads(checkpoint.processes[i], threads[i]);
            }
        }
    } catch (...) {
        kill_spawned(spawned);
        throw;
    }
    return {spawned.pids.front(), spawned.child, terminals.release()};
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

RestoredTree restore_dir(const std::filesystem::path& dir, bool with_ptys)
{
    auto manifest = image::load_manifest(dir);
    Checkpoint checkpoint = manifest.get<Checkpoint>();
    if (checkpoint.processes.empty() || checkpoint.processes.front().zombie) {
        throw ImageError(dir.string() + " holds no process to restore");
    }
    image::ChunkReader reader(dir);
    put_back_output(manifest, reader);
    return restore_tree(checkpoint, reader, with_ptys);
}

}  // namespace

StartedRestore start_restored(const std::filesystem::path& dir)
{
    auto restored = restore_dir(dir, false);
    return {restored.root, restored.child};
}

int restore(const RestoreOptions& options)
{
    if (!options.detach) {
        auto restored = restore_dir(options.dir, true);
        write_pidfile(options.pidfile, restored.root);
        if (!restored.ptys.empty()) {
            relay_terminals(std::move(restored.ptys), restored.child, restored.root);
        }
        return wait_for_exit(restored.child);
    }
    // Detached: an intermediate process restores and exits, so the restored
    // one is not our child and we can return at once.
    pid_t middle = ::fork();
    if (middle < 0) {
        throw sys_error("fork");
    }
    if (middle == 0) {
        try {
            write_pidfile(options.pidfile, restore_dir(options.dir, false).root);
            ::_exit(0);
        } catch (const std::exception& e) {
            std::cerr << "stasis: " << e.what() << "\n";
            ::_exit(1);
        }
    }
    return wait_for_exit(middle);
}

}  // namespace stasis
