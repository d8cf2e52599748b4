#include <stasis/dump.hpp>

#include "core/error.hpp"
#include "core/human_size.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"
#include "core/xsave_layout.hpp"
#include "dump/dump_settings.hpp"
#include "dump/tree_memory.hpp"
#include "files/dump_fds.hpp"
#include "files/file_kinds.hpp"
#include "files/kept_output.hpp"
#include "image/checkpoint_chunks.hpp"
#include "image/chunk_writer.hpp"
#include "image/manifest.hpp"
#include "image/parent_chunks.hpp"
#include "memory/dump_memory.hpp"
#include "memory/vdso_layout.hpp"
#include "process/cpu_features.hpp"
#include "process/dump_process.hpp"
#include "process/return_gadgets.hpp"
#include "process/frozen_tree.hpp"
#include "process/namespace_ids.hpp"
#include "shared_memory/dump_shared_memory.hpp"
#include "store/sparse_file.hpp"
#include "timers/dump_timers.hpp"
#include "unnamed_files/dump_unnamed_files.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/utsname.h>

#include <algorithm>
#include <map>
#include <memory>
#include <chrono>
#include <optional>
#include <set>
#include <ctime>
#include <utility>

namespace stasis {

namespace {

std::string utc_now()
{
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buf;
}

Checkpoint describe_host(pid_t root)
{
    Checkpoint c;
    utsname u{};
    ::uname(&u);
    c.host = u.nodename;
    c.kernel = u.release;
    c.time = utc_now();
    c.root_pid = root;
    // What the job may have come to depend on: a restore refuses a host
    // without them (restore/restore.cpp).
    c.cpu.features = host_cpu_features();
    c.vdso = host_vdso_layout();
    return c;
}

// The parent's chunks are named relative to the new generation as
// "../PARENT/FILE", which only holds for a sibling.
std::optional<image::ParentChunks> parent_chunks(const DumpOptions& options)
{
    if (options.parent.empty()) {
        return std::nullopt;
    }
    namespace fs = std::filesystem;
    auto dir = fs::weakly_canonical(fs::absolute(options.dir));
    auto parent = fs::weakly_canonical(fs::absolute(options.parent));
    if (dir.parent_path() != parent.parent_path() || dir == parent) {
        throw Error("the parent generation " + options.parent.string() + " is not beside " + options.dir.string() +
                    " (an incremental generation borrows from a sibling directory only)");
    }
    return image::ParentChunks(image::read_checkpoint(parent), parent.filename().string());
}

// The job's write tracking, for a process the caller holds (and so sees
// exec and exit of); nullptr for any other.
WriteTracking* tracking_of(pid_t pid, const DumpOptions& options)
{
    return options.tracking && options.held.contains(pid) ? options.tracking : nullptr;
}

bool is_relaunched(pid_t pid, const DumpOptions& options)
{
    auto exe = proc::read_link("/proc/" + std::to_string(pid) + "/exe");
    return std::find(options.relaunch.begin(), options.relaunch.end(), exe) != options.relaunch.end();
}

// The processes that go into the image: all but the descendants of a
// process started anew (DumpOptions::relaunch), which starts its own again
// (srun's helper child, for one). Parent before child, as the tree.
struct Survey {
    std::vector<const FrozenProcess*> frozen;
    std::vector<ProcessState> states;  // one per frozen
    std::set<pid_t> left_out;          // the descendants of relaunched processes
};

// Regions, fds and POSIX timers of every process, each classified by its kind: what
// cannot be restored is refused here, before any process is touched. A
// process to be started anew keeps only fds 0-2; the root cannot be one
// (its registers describe the image's CPU).
Survey survey(const FrozenTree& tree, const DumpOptions& options)
{
    Survey s;
    std::set<pid_t> relaunched;
    for (const auto& frozen : tree.processes()) {
        pid_t pid = frozen->pid();
        auto ppid = static_cast<pid_t>(proc::Stat(pid).field(proc::StatField::ppid));
        if (relaunched.contains(ppid) || s.left_out.contains(ppid)) {
            s.left_out.insert(pid);
            continue;
        }
        ProcessState p;
        p.pid = pid;
        if (is_relaunched(pid, options)) {
            if (frozen == tree.processes().front()) {
                throw Error("process " + std::to_string(pid) +
                            " is the root of the tree: it cannot be started anew (--relaunch)");
            }
            relaunched.insert(pid);
            p.relaunch = Relaunch{};
            p.fds = read_fds(pid, last_stdio_fd);
        } else {
            p.regions = read_regions(pid);
            p.fds = read_fds(pid);
            p.timers.posix = describe_posix_timers(pid, frozen->tids());
        }
        s.frozen.push_back(frozen.get());
        s.states.push_back(std::move(p));
    }
    s.left_out.insert(relaunched.begin(), relaunched.end());  // their zombie children too
    link_descriptions(s.states);
    return s;
}

// Of the pre-copy's data files, those the image uses become its own, with
// the chunks written again before the freeze punched out of them; the rest
// are removed. Space left unreturned costs space, not the checkpoint.
// Returns the bytes of the pre-copied chunks the image uses.
std::uint64_t keep_pre_copied_files(const PreCopy& pre_copied, Checkpoint& checkpoint)
{
    std::map<std::string, ByteRanges> used;
    std::uint64_t bytes = 0;
    const std::set<std::string> pre_copy_files(pre_copied.data_files.begin(), pre_copied.data_files.end());
    image::for_each_chunk(checkpoint, [&](const image::Chunk& chunk) {
        if (pre_copy_files.contains(chunk.file)) {
            used[chunk.file].emplace_back(chunk.offset, chunk.stored_size);
            bytes += chunk.size;
        }
    });
    for (const auto& file : pre_copied.data_files) {
        const auto path = pre_copied.generation->staging_dir() / file;
        auto it = used.find(file);
        if (it == used.end()) {
            std::error_code left;
            std::filesystem::remove(path, left);
            continue;
        }
        checkpoint.data_files.push_back(file);
        try {
            keep_only_ranges(path, it->second);
        } catch (const Error&) {
        }
    }
    return bytes;
}

DumpResult totals(const Checkpoint& checkpoint)
{
    DumpResult result;
    for (const auto& process : checkpoint.processes) {
        for (const auto& region : process.regions) {
            for (const auto& chunk : region.chunks) {
                result.memory_bytes += chunk.size;
            }
        }
    }
    image::FirstReference first;
    image::for_each_chunk(checkpoint, [&](const image::Chunk& chunk) {
        if (image::is_borrowed(chunk)) {
            result.borrowed_bytes += chunk.size;
        } else if (first(chunk)) {
            result.stored_bytes += chunk.stored_size;
        }
    });
    return result;
}

}  // namespace

std::string describe(const DumpResult& result)
{
    auto ahead = result.pre_copied_bytes == 0
                     ? std::string()
                     : " (" + human_size(result.pre_copied_bytes) + " of it read before the freeze)";
    auto unread = result.unread_bytes == 0 ? std::string()
                                           : " (" + human_size(result.unread_bytes) + " unwritten, not read)";
    auto unchanged = result.parent.empty()
                         ? std::string()
                         : ", " + human_size(result.borrowed_bytes) + " unchanged since " + result.parent + unread;
    return fmt::format("{} of memory{}, {} stored{}, {:.3f} s frozen", human_size(result.memory_bytes), ahead,
                       human_size(result.stored_bytes), unchanged, result.frozen_seconds);
}

DumpResult dump(const DumpOptions& options)
{
    auto parent = parent_chunks(options);  // before the job is stopped: it may take a while
    auto settings = writer_settings(options, parent ? &*parent : nullptr);
    if (options.tracking && !options.pre_copied) {  // pre_copy began it
        options.tracking->begin(parent ? parent->name() : "");
    }
    auto started = std::chrono::steady_clock::now();
    auto frozen_for = [&started] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    // Optional so that a job that runs on is let go before the commit.
    std::optional<FrozenTree> tree(std::in_place, options.pid, FreezeDeadline(options.freeze_timeout), options.held);
    auto surveyed = survey(*tree, options);
    auto& states = surveyed.states;
    const double surveyed_at = frozen_for();

    auto generation = options.pre_copied ? options.pre_copied->generation
                                         : std::make_shared<image::GenerationWriter>(options.dir);
    Checkpoint checkpoint = describe_host(options.pid);
    checkpoint.job = options.job;
    capture_fd_objects(states, checkpoint);
    std::vector<SharedResidency> residency(states.size());
    std::vector<std::optional<UnchangedChunks>> unchanged(states.size());
    for (std::size_t i = 0; i < states.size(); ++i) {
        const auto& frozen = *surveyed.frozen[i];
        if (states[i].relaunch) {
            checkpoint.processes.push_back(relaunch_state(frozen, std::move(states[i].fds)));
            continue;
        }
        auto* tracking = tracking_of(frozen.pid(), options);
        auto syscall_ip = find_syscall_instruction(frozen.pid(), states[i].regions);
        auto process = read_task_state(frozen, syscall_ip, states[i], residency[i], tracking);
        process.regions = read_regions_again(frozen.pid(), std::move(states[i].regions));  // the injection area gone
        if (tracking) {
            unchanged[i] = tracking->capture(frozen.pid(), process.regions);
        }
        process.stopped_by = frozen.stopped_by();
        process.fds = std::move(states[i].fds);
        checkpoint.processes.push_back(std::move(process));
    }
    const double state_read_at = frozen_for();
    auto shared = find_shared_pages(checkpoint.processes, residency);
    save_unnamed_files(residency, generation->staging_dir(), settings, checkpoint);
    auto unread = dump_tree_memory(checkpoint.processes, generation->staging_dir(), settings, shared, unchanged,
                                   checkpoint.data_files);
    const double memory_read_at = frozen_for();
    for (const auto& process : checkpoint.processes) {
        if (auto* tracking = process.relaunch ? nullptr : tracking_of(process.pid, options)) {
            tracking->captured_chunks(process.pid, process.regions);
        }
    }
    for (const auto& z : tree->zombies()) {
        if (!surveyed.left_out.contains(z.ppid)) {
            checkpoint.processes.push_back(zombie_state(z));
        }
    }
    if (options.keep_output) {
        keep_output(options.pid, checkpoint.processes.front(), generation->staging_dir(), settings, checkpoint);
    }
    to_namespace_ids(checkpoint);
    const auto& leader = checkpoint.processes.front().threads.front();
    checkpoint.cpu.xcr0 = xcr0_of(leader.xstate);
    checkpoint.cpu.xsave_size = leader.xstate.size();
    // Everything the image holds is read: a job that runs on need not wait
    // for the disk, and is let go before its image is made durable.
    const bool runs_on = options.leave_running && !options.end_after_commit;
    DumpResult result = totals(checkpoint);
    result.parent = parent ? parent->name() : "";
    result.unread_bytes = unread;
    result.frozen_seconds = frozen_for();
    // Where a frozen time goes, for whoever tunes it.
    spdlog::debug("frozen {:.3f} s: freeze and survey {:.3f} s, task state {:.3f} s, memory {:.3f} s, the rest {:.3f} s",
                  result.frozen_seconds, surveyed_at, state_read_at - surveyed_at, memory_read_at - state_read_at,
                  result.frozen_seconds - memory_read_at);
    if (runs_on) {
        tree.reset();
        if (options.after_capture) {
            options.after_capture();
        }
    }
    if (options.pre_copied) {
        result.pre_copied_bytes = keep_pre_copied_files(*options.pre_copied, checkpoint);
    }
    if (options.before_commit) {
        options.before_commit(generation->staging_dir());
    }
    generation->sync(checkpoint.data_files);
    image::commit_checkpoint(*generation, checkpoint);
    if (!runs_on) {
        if (options.end_after_commit ? options.end_after_commit() : !options.leave_running) {
            tree->kill();
        }
        result.frozen_seconds = frozen_for();
    }
    return result;
}

}  // namespace stasis
