#pragma once
// The one place where the agent checkpoints its job: stop every task
// through the guard's own ptrace hold (guarded signals held back), dump the
// job through that hold into the next generation, deliver the held signals
// and let the job go on once its image is read (while the image is made
// durable). The job never loses its tracer, so no signal slips past
// the guard, and a killed agent leaves it running. LATEST names a committed
// generation at once (one it cannot name fails the checkpoint); retiring old
// generations follows.
#include "agent/event_source.hpp"
#include <stasis/generation_store.hpp>
#include "agent/job_tracer.hpp"
#include "agent/parts_round.hpp"
#include "memory/write_tracking.hpp"
#include <stasis/run.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stasis::agent {

class CheckpointCycle {
public:
    // unusable: generations that are no resume point (found corrupt, or
    // newer than the one resumed), which never count as kept. resumed: the
    // generation the job was resumed from, if it was. track_writes: the
    // job's writes are tracked from its first checkpoint on.
    CheckpointCycle(GenerationStore& store, const RunOptions& options, std::vector<std::string> unusable,
                    std::optional<std::string> resumed, bool track_writes)
        : store_(store), options_(options), unusable_(std::move(unusable)), parent_(std::move(resumed))
    {
        if (track_writes) {
            tracking_.emplace();
        }
    }

    // The guard says a process's address space ended (exec, exit). While a
    // pre-copy runs on its thread, that waits until it is done.
    void forget(pid_t pid)
    {
        if (pre_copying_) {
            forgotten_.push_back(pid);
        } else if (tracking_) {
            tracking_->forget(pid);
        }
    }

    // Checkpoints the job; reason goes into the log line. With end_job the
    // job is killed while still frozen once its image is committed, so it
    // never runs past its checkpoint. A failure is logged in one line and
    // leaves the job running, held again, and the older generations intact.
    void run(JobTracer& tracer, EventSource& events, const std::string& reason, bool end_job);

private:
    // refusal: why this checkpoint fails before it starts (a task did not
    // stop, a part failed); parts go into the generation; let_job_go lets
    // the job run on once its image is read (unless end_job); pre_copied:
    // what a pre-copy read of it already.
    std::optional<std::string> dump_next(pid_t root, const std::map<pid_t, HeldProcess>& held,
                                         const std::filesystem::path& dir, const std::string& reason, bool end_job,
                                         const std::optional<std::string>& refusal, PartsRound* parts,
                                         const std::function<void()>& let_job_go, const PreCopy* pre_copied);
    // The options every dump and pre-copy into dir shares.
    DumpOptions dump_options(const std::filesystem::path& dir);
    // While the job runs, with write tracking and a parent: reads what the
    // job wrote since into dir's staging (DumpOptions::pre_copied), on a
    // thread of its own while this one keeps the guard going (a signal to
    // the job must not wait for the pre-copy); a signal held for a
    // checkpoint, one to the agent or the job's end cut it short. A failure
    // (pre_copy_failure_) leaves the checkpoint to read everything.
    std::optional<PreCopy> pre_copy_into(const std::filesystem::path& dir, JobTracer& tracer, EventSource& events);
    // Runs pre_copy on its thread, handling the job's events meanwhile.
    PreCopy pre_copy_guarded(const DumpOptions& options, JobTracer& tracer, EventSource& events);
    bool discard_if_replaying(const std::string& generation);
    void name_in_latest(const std::string& generation);
    void publish(const std::string& generation);

    GenerationStore& store_;
    const RunOptions& options_;
    std::vector<std::string> unusable_;
    // What the next generation borrows unchanged chunks from: the last one
    // this agent committed, else the one it resumed from. Never just the
    // newest on disk: a damaged one (a resume fell back past it) would lend
    // its damage to every later generation.
    std::optional<std::string> parent_;
    std::optional<WriteTracking> tracking_;
    bool pre_copying_ = false;
    std::vector<pid_t> forgotten_;  // while pre_copying_
    std::optional<std::string> pre_copy_failure_;  // of this checkpoint, for its commit line
};

}  // namespace stasis::agent
