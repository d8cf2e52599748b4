#pragma once
// `stasis dump`: checkpoint a process and its descendants into a committed
// image directory.
#include <stasis/held_process.hpp>
#include <stasis/image.hpp>
#include <stasis/site_config.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace stasis {

class WriteTracking;
struct PreCopy;
namespace image {
class GenerationWriter;
}

// How long a checkpoint waits for every task of the job to stop before it
// gives up (`--freeze-timeout`).
inline constexpr std::chrono::seconds default_freeze_timeout{10};

struct DumpOptions {
    pid_t pid = 0;
    std::filesystem::path dir;  // must not exist, or be empty
    // A committed generation beside dir (same parent directory) that this
    // one follows: chunks it holds unchanged are borrowed from it, not
    // stored again. Empty: a full image.
    std::filesystem::path parent;
    bool leave_running = false;
    bool keep_output = false;  // save the root's stdout/stderr files, put back at restore
    // automatic: compress a chunk (with zstd, or byte-shuffled first) where
    // that saves more write time than it costs (image/codec_choice.hpp).
    Compression compression = Compression::automatic;
    int level = 1;  // zstd level
    // Threads that checksum, compress and write; 0: one per core this
    // process may run on (its CPU affinity: in a batch job, the cores of
    // the job's allocation).
    unsigned workers = 0;
    // A task that is not stopped by then (a vfork parent, uninterruptible
    // sleep) fails the dump, naming it; every task is let go as it was.
    std::chrono::seconds freeze_timeout = default_freeze_timeout;
    // Programs (absolute paths, as /proc/PID/exe names them) whose processes
    // are not checkpointed but started anew by the restore, with the same
    // arguments, environment and fds 0-2: a client whose connections lead
    // to other hosts, such as Slurm's srun, which then starts its step again.
    // Its descendants are left out (it starts its own again); the root cannot
    // be one.
    std::vector<std::string> relaunch;
    // The job the image belongs to, as the scheduler names it (cluster, job
    // id, user, ...): recorded in the image, and a resume of a job with
    // another name refuses it. "" records none.
    std::string job;
    // Called with the staging directory once the image is written, just
    // before it is committed: a caller's own files go in there (fsync'd by
    // it). Throwing fails the dump.
    std::function<void(const std::filesystem::path& staging)> before_commit;
    // With leave_running (and no end_after_commit): called once everything
    // the image holds is read, before it is made durable and committed. The
    // dump has let go of the processes it attached itself by then; the
    // caller may let its own held ones run on (a failure to commit then
    // leaves the job running, as any failed dump does).
    std::function<void()> after_capture;
    // When set, called once the image is committed, the tree still frozen;
    // it may wait, and says whether the tree is then killed (true) or let
    // go (false) in place of leave_running.
    std::function<bool()> end_after_commit;
    // The processes of the tree the caller holds already (the agent's
    // guard), by pid: they are dumped through that hold and left stopped to
    // the caller, or killed when the tree is (leave_running, end_after_commit).
    // Any other process of the tree is attached and let go by the dump itself.
    std::map<pid_t, HeldProcess> held;
    // The job's write tracking, kept by the caller from one checkpoint to
    // the next (the agent): of the held processes, the chunks of parent
    // whose pages were not written since are borrowed without being read.
    // Only a caller that learns of every exec and exit in the job may keep
    // one (WriteTracking::forget), and it tells the tracking when it keeps
    // the generation as the next one's parent (WriteTracking::committed):
    // it may still throw it away after the dump. nullptr: chunks are
    // compared by checksum.
    WriteTracking* tracking = nullptr;
    // What pre_copy read of this checkpoint while the job ran, for dir; the
    // dump then reads only what was written since.
    const PreCopy* pre_copied = nullptr;
};

// A checkpoint's memory read while the job still runs, in the staging
// directory of the generation it goes into.
struct PreCopy {
    std::shared_ptr<image::GenerationWriter> generation;
    std::vector<std::string> data_files;  // in its staging directory
    std::uint64_t bytes = 0;              // memory read
    unsigned passes = 0;
};

// With options.tracking and options.parent, before the job is frozen for
// the checkpoint into options.dir: reads what the tracked processes wrote
// since the parent while they run, pass after pass while what is written
// meanwhile shrinks. A process that cannot be read is left to the dump.
// keep_going, asked before each process and pass, ends it early when it
// says no (the job is to be checkpointed at once). Throws an Error when the
// generation's staging directory cannot be made.
PreCopy pre_copy(const DumpOptions& options, const std::function<bool()>& keep_going);

struct DumpResult {
    std::uint64_t memory_bytes = 0;    // page data dumped
    std::uint64_t stored_bytes = 0;    // page data this generation wrote to disk
    std::uint64_t borrowed_bytes = 0;  // page data (uncompressed) unchanged since the parent, borrowed
    std::uint64_t unread_bytes = 0;      // of borrowed_bytes, known unchanged by write tracking, never read
    std::uint64_t pre_copied_bytes = 0;  // of stored_bytes' memory, read while the job ran (DumpOptions::pre_copied)
    std::string parent;                // the parent generation's name; "" for a full image
    double frozen_seconds = 0;         // time the process was held
};

// "102.6 MiB of memory (1.0 MiB of it read before the freeze), 1.1 MiB
// stored, 101.5 MiB unchanged since gen-000001 (101.0 MiB unwritten, not
// read), 0.020 s frozen": what a checkpoint took, for logs.
std::string describe(const DumpResult& result);

// On failure nothing that looks like a committed image is left and the
// process runs on. Throws Error (std::runtime_error) with one line of context.
DumpResult dump(const DumpOptions& options);

}  // namespace stasis
