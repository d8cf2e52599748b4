#include <stasis/restore.hpp>

#include "core/error.hpp"
#include "core/exit_status.hpp"
#include "core/ptrace_ops.hpp"
#include "core/xsave_layout.hpp"
#include "files/kept_output.hpp"
#include "files/restore_fds.hpp"
#include "image/chunk_reader.hpp"
#include "image/manifest.hpp"
#include "image/read_ahead.hpp"
#include "memory/restore_memory.hpp"
#include "memory/vdso_layout.hpp"
#include "process/cpu_features.hpp"
#include "process/executable.hpp"
#include "process/relaunch_env.hpp"
#include "process/spawn_plan.hpp"
#include "process/spawn_tree.hpp"
#include "restore/tree_rebuild.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include "terminals/restore_terminal.hpp"
#include "terminals/terminal_relay.hpp"
#include "threads/restore_threads.hpp"
#include "unnamed_files/restore_unnamed_files.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <utility>

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
            threads = rebuild_tree(checkpoint.processes, reader, spawned);
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

// How far the image's data is read ahead of the restore: enough to keep a
// disk streaming while a process is spawned and mapped, bounded so that a
// large job's image does not push the job's own files out of memory.
constexpr std::uint64_t read_ahead_window = std::uint64_t{512} << 20;

// The chunks a restore reads, in the order it reads them: shared memory
// first, then the processes it fills, one after another. A chunk several
// processes share (forked workers) is read once.
std::vector<const image::Chunk*> chunks_in_restore_order(const Checkpoint& checkpoint)
{
    std::vector<const image::Chunk*> chunks;
    for (const auto& p : checkpoint.processes) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_anon) {
                for (const auto& c : r.chunks) {
                    chunks.push_back(&c);
                }
            }
        }
    }
    for (const auto& p : checkpoint.processes) {
        if (!p.zombie && !p.relaunch) {
            for (const auto& r : p.regions) {
                add_chunks_to_fill(r, chunks);
            }
        }
    }
    std::set<std::pair<std::string, std::uint64_t>> seen;
    std::erase_if(chunks, [&](const image::Chunk* c) { return !seen.emplace(c->file, c->offset).second; });
    return chunks;
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
    const image::ReadAhead read_ahead(reader, chunks_in_restore_order(checkpoint), read_ahead_window);
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
