#pragma once
// `stasis run`: a job under the agent, checkpointed every interval and
// guarded against the signals a scheduler ends it with (docs/run.md).
#include <stasis/dump.hpp>
#include <stasis/image.hpp>
#include <stasis/site_config.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis {

struct RunOptions {
    std::filesystem::path root;
    std::chrono::seconds interval{0};  // 0: checkpoint only when signalled
    unsigned keep = 2;                 // at least 1
    // Checkpoint, end the job and exit 75 this long after the agent started
    // (a scheduler's time limit, less a margin for the checkpoint).
    std::optional<std::chrono::seconds> stop_after;
    bool keep_output = false;  // DumpOptions::keep_output for every checkpoint
    // How long stopping the job for a checkpoint may take: the guard's
    // release, then DumpOptions::freeze_timeout.
    std::chrono::seconds freeze_timeout = default_freeze_timeout;
    Compression compression = Compression::automatic;  // and DumpOptions::compression, ::level
    int level = 1;
    unsigned workers = 0;  // DumpOptions::workers (0: one per core the agent may run on)
    // Track the job's writes (userfaultfd) where the kernel allows, so that a
    // checkpoint reads only what was written since the last one; false
    // (--no-write-tracking): every checkpoint reads the whole job and
    // compares chunk checksums, for a job whose memory devices write
    // behind the page tables' back (RDMA, O_DIRECT into buffers pinned long).
    bool write_tracking = true;
    std::vector<std::string> relaunch;  // DumpOptions::relaunch
    // DumpOptions::job for every checkpoint; a resume refuses a generation
    // that records another job.
    std::string job;
    // Where a run on a ROOT that holds generations starts from: by default
    // the generation LATEST names; resume_from names one (gen-NNNNNN), and
    // a newer one is never used; fresh: none, they are removed and the
    // command starts anew. At most one of the two is set.
    std::optional<std::string> resume_from;
    bool fresh = false;
    LogLevel log_level = LogLevel::info;  // what the agent logs on stderr
    // Set for the agent of a task of another step of a job whose agent
    // checkpoints into step_of: it only guards the task and passes a
    // guarded signal on to that agent (agent/step_task_guard.hpp); root and
    // the options about checkpoints are not used.
    std::optional<std::filesystem::path> step_of;
    // With step_of: the task's place in the job, the launcher's pid (as the
    // job's processes see it) and the task's rank in the step. Set, the
    // agent writes the task's part of each generation the job's agent
    // commits (contract/step_parts.hpp); unset, a generation taken while
    // the task runs starts its step anew.
    struct StepTaskPlace {
        pid_t launcher = 0;
        unsigned rank = 0;
        std::string step;  // the scheduler's name for the step, for the record ("" if none)
    };
    std::optional<StepTaskPlace> step_place;
    // With step_of: restore the task from this part of a generation instead
    // of starting command.
    std::optional<std::filesystem::path> resume_part;
    std::vector<std::string> command;
};

// `stasis checkpoint --dir ROOT`: asks the agent running on ROOT (on any node
// that sees ROOT) to checkpoint its job now and let it run on, and waits at
// most timeout for it. Returns the committed generation's name; throws an
// Error saying why there is none (no agent on ROOT, the checkpoint failed:
// the agent's log says why, no answer in time).
struct CheckpointRequest {
    std::filesystem::path root;
    std::chrono::seconds timeout{600};
};
std::string request_checkpoint(const CheckpointRequest& request);

// Runs (or, when ROOT holds a committed generation, resumes) the job until
// it ends. Returns its exit status (128 + signal number when a signal ended
// it), or contract::exit_requeue (stasis/exit_requeue.hpp).
int run(const RunOptions& options);

}  // namespace stasis
