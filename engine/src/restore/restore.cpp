#include <stasis/restore.hpp>

#include "core/error.hpp"
#include "core/exit_status.hpp"
#include "core/ptrace_ops.hpp"
#include "core/xsave_layout.hpp"
#include "core/restore_context.hpp"
#include "event_fds/epoll_watches.hpp"
#include "files/kept_output.hpp"
#include "files/forked_fds.hpp"
#include "files/restore_fds.hpp"
#include "image/chunk_reader.hpp"
#include "image/manifest.hpp"
#include "memory/inherit_memory.hpp"
#include "memory/restore_memory.hpp"
#include "memory/vdso_layout.hpp"
#include "process/cpu_features.hpp"
#include "process/dynamic_xstate.hpp"
#include "process/executable.hpp"
#include "process/fork_from_parent.hpp"
#include "process/process_attributes.hpp"
#include "process/relaunch_env.hpp"
#include "process/signals.hpp"
#include "process/spawn_plan.hpp"
#include "process/spawn_tree.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include "terminals/restore_terminal.hpp"
#include "terminals/terminal_relay.hpp"
#include "threads/restore_threads.hpp"
#include "timers/restore_timers.hpp"
#include "unnamed_files/restore_unnamed_files.hpp"

#include <spdlog/spdlog.h>

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace stasis {

namespace {

void check_cpu(pid_t child, const Checkpoint& checkpoint)
{
    auto xstate = ptrace::get_xstate(child);
    std::uint64_t here = xcr0_of(xstate);
    std::uint64_t missing = checkpoint.cpu.xcr0 & ~here;
    if (missing != 0 || xstate.size() != checkpoint.cpu.xsave_size) {
        std::ostringstream s;
        s << "this CPU cannot hold the checkpointed register state: XSAVE features 0x" << std::hex << missing
          << " missing (image XCR0 0x" << checkpoint.cpu.xcr0 << ", here 0x" << here << std::dec << "; XSAVE size "
          << checkpoint.cpu.xsave_size << " vs " << xstate.size() << ")";
        throw Error(s.str());
    }
}

// What the image recorded of its host's CPU and kernel that this host must
// also offer; checked before anything is started. An image that recorded
// nothing of it is not checked (check_cpu still compares the XSAVE state).
void check_host(const Checkpoint& checkpoint)
{
    if (checkpoint.cpu.features) {
        refuse_missing_cpu_features(*checkpoint.cpu.features, host_cpu_features(), checkpoint.host);
    }
    if (checkpoint.vdso) {
        check_vdso(*checkpoint.vdso, host_vdso_layout(), checkpoint.processes, checkpoint.host);
    }
}

// What is left once a process's address space and fds are its own, the
// same for an exec'd process and a forked one. Returns its threads.
std::vector<pid_t> finish_process(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index)
{
    const auto& p = tree[index];
    restore_sigactions(ctx, p);
    finish_fds(ctx, tree, index);
    close_epoll_watch_fds(ctx);
    // Every process but the root has its saved parent back.
    auto tids = restore_threads(ctx, p, index != 0);
    restore_timers(ctx, p, tids);
    restore_process_attributes(ctx, p.attributes);
    make_room_for_dynamic_state(ctx, p.threads, tids);
    unmap_injection_area(ctx);
    return tids;
}

void hand_objects(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index)
{
    auto handed = handed_fds(tree, index);
    ctx.set_shared_memory_fds(std::move(handed.shared_memory));
    ctx.set_epoll_watch_fds(std::move(handed.epoll_watches));
}

// Rebuilds the processes of a tree: each spawned one from its exec, and
// right after its memory, forks the children restored as its forks
// (process/forked_children.hpp), which are rebuilt after it.
class TreeRebuild {
public:
    TreeRebuild(const std::vector<ProcessState>& tree, const image::ChunkReader& reader, SpawnedTree& spawned)
        : tree_(tree), reader_(reader), spawned_(spawned), threads_(tree.size())
    {
    }

    // Returns the threads of every process.
    std::vector<std::vector<pid_t>> run()
    {
        for (std::size_t i = 0; i < tree_.size(); ++i) {
            if (spawned_.pids[i] > 0 && !tree_[i].relaunch && !spawned_.forks.by_fork[i]) {
                rebuild_spawned(i);
            }
        }
        spawned_.forks.next_pid.done();
        spawned_.forks.channel.reset();
        return std::move(threads_);
    }

private:
    std::vector<std::size_t> forked_children_of(std::size_t parent) const
    {
        std::vector<std::size_t> children;
        for (std::size_t i = 0; i < tree_.size(); ++i) {
            if (spawned_.forks.by_fork[i] && tree_[i].ppid == tree_[parent].pid) {
                children.push_back(i);
            }
        }
        return children;
    }

    // All the processes forked from index, and from those in turn: they
    // keep the injection area index gets.
    std::vector<const ProcessState*> forked_descendants(std::size_t index) const
    {
        std::vector<const ProcessState*> found;
        for (std::size_t c : forked_children_of(index)) {
            found.push_back(&tree_[c]);
            auto below = forked_descendants(c);
            found.insert(found.end(), below.begin(), below.end());
        }
        return found;
    }

    // A freshly exec'd process into its checkpointed self, up to the point
    // where only its registers remain to be set.
    void rebuild_spawned(std::size_t index)
    {
        RestoreContext ctx(spawned_.pids[index], 0);
        hand_objects(ctx, tree_, index);
        rebuild_address_space(ctx, tree_[index], reader_, forked_descendants(index));
        fork_and_finish(ctx, index);
    }

    void rebuild_forked(std::size_t index, std::size_t parent, const RestoreContext& parent_ctx)
    {
        RestoreContext ctx(spawned_.pids[index], 0);
        ctx.set_area(parent_ctx.area_base(), parent_ctx.area_size());
        const auto& forks = spawned_.forks;
        take_own_fds(ctx, forks.placements[index], {forks.channel_at[parent], forks.channel.get()},
                     forks.channel_at[index]);
        hand_objects(ctx, tree_, index);
        set_place_and_limits(ctx, tree_[index]);
        inherit_address_space(ctx, tree_[parent], tree_[index], reader_);
        fork_and_finish(ctx, index);
    }

    // With index's memory rebuilt: forks its children that are restored as
    // forks, finishes it, then rebuilds them.
    void fork_and_finish(RestoreContext& ctx, std::size_t index)
    {
        auto children = forked_children_of(index);
        for (std::size_t c : children) {
            spawned_.pids[c] = fork_from_parent(ctx, tree_[c], spawned_.forks.next_pid);
            spdlog::debug("process {} forked from its parent {}, sharing its pages", tree_[c].pid, tree_[index].pid);
        }
        if (!children.empty()) {
            ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(spawned_.forks.channel_at[index])});
        }
        threads_[index] = finish_process(ctx, tree_, index);
        for (std::size_t c : children) {
            rebuild_forked(c, index, ctx);
        }
    }

    const std::vector<ProcessState>& tree_;
    const image::ChunkReader& reader_;
    SpawnedTree& spawned_;
    std::vector<std::vector<pid_t>> threads_;
};

struct RestoredTree {
    pid_t root = 0;         // the restored root process, as stasis sees it
    pid_t child = 0;        // stasis's own child: the root, or its namespace's init
    std::vector<Pty> ptys;  // the tree's terminals, for `stasis restore` to relay
};

// Nothing runs until every process of the tree is complete, so no process
// sees a half-restored peer. Without ptys, the tree's terminal fds get
// stasis's own fds 0-2 (terminals/terminal_kind.cpp).
RestoredTree restore_tree(const Checkpoint& checkpoint, const image::ChunkReader& reader, bool with_ptys,
                          const MovedFiles& moved)
{
    for (const auto& p : checkpoint.processes) {
        if (!p.zombie) {
            check_restorable(p);
        }
    }
    RestoredTerminals terminals(checkpoint.processes, with_ptys);
    SpawnedTree spawned;
    std::vector<std::vector<pid_t>> threads;
    {
        RestoreSources sources(checkpoint, reader, terminals, moved);
        auto open = open_descriptions(sources);
        auto shared = create_shared_memory(checkpoint, reader);
        sources.tree_state<RecreatedUnnamedFiles>().hand_over(shared);
        spawned = spawn_tree(checkpoint.processes, open, shared, terminals);
        try {
            check_cpu(spawned.pids.front(), checkpoint);
            threads = TreeRebuild(checkpoint.processes, reader, spawned).run();
        } catch (...) {
            kill_spawned(spawned);
            throw;
        }
    }
    try {
        // A process stopped by job control at the checkpoint is stopped
        // again before any other runs: a parent that looks first must find
        // it stopped, not in the middle of being let go.
        auto stopped = [&](std::size_t i) {
            return spawned.pids[i] > 0 && !checkpoint.processes[i].relaunch && checkpoint.processes[i].stopped_by != 0;
        };
        for (std::size_t i = 0; i < checkpoint.processes.size(); ++i) {
            if (stopped(i)) {
                release_threads(checkpoint.processes[i], threads[i]);
            }
        }
        for (std::size_t i = 0; i < checkpoint.processes.size(); ++i) {
            if (stopped(i)) {
                wait_stopped_again(spawned.pids[i], threads[i]);
            }
        }
        for (std::size_t i = 0; i < checkpoint.processes.size(); ++i) {
            if (spawned.pids[i] <= 0 || stopped(i)) {
                continue;
            }
            if (checkpoint.processes[i].relaunch) {
                // Started anew: it runs as exec'd.
                if (::ptrace(PTRACE_DETACH, spawned.pids[i], nullptr, nullptr) < 0) {
                    throw sys_error("releasing the relaunched process " + std::to_string(spawned.pids[i]));
                }
            } else {
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
    if (waitpid_uninterrupted(pid, status, 0) < 0) {
        throw sys_error("waiting for the restored process");
    }
    return shell_exit_status(status);
}

RestoredTree restore_dir(const std::filesystem::path& dir, bool with_ptys, const MovedFiles& moved = {})
{
    Checkpoint checkpoint = image::read_checkpoint(dir);
    if (checkpoint.processes.empty() || checkpoint.processes.front().zombie) {
        throw ImageError(dir.string() + " holds no process to restore");
    }
    check_host(checkpoint);
    tell_relaunched_processes(checkpoint, dir);
    image::ChunkReader reader(dir);
    put_back_output(checkpoint, reader);
    return restore_tree(checkpoint, reader, with_ptys, moved);
}

}  // namespace

StartedRestore start_restored(const std::filesystem::path& dir, const MovedFiles& moved)
{
    auto restored = restore_dir(dir, false, moved);
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
