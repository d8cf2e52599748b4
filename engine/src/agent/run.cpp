#include <stasis/run.hpp>

#include "agent/event_source.hpp"
#include <stasis/generation_store.hpp>
#include "agent/job_launch.hpp"
#include "agent/job_tracer.hpp"
#include "agent/parts_round.hpp"
#include "agent/resume_point.hpp"
#include "agent/root_lock.hpp"
#include "agent/run_log.hpp"
#include "agent/step_task_guard.hpp"
#include "agent/step_task_registry.hpp"
#include "agent/supervisor.hpp"
#include "core/error.hpp"
#include "memory/write_tracker.hpp"
#include <stasis/restore.hpp>
#include <stasis/root_layout.hpp>
#include <stasis/step_parts.hpp>
#include "stasis/duration.hpp"

#include <malloc.h>
#include <sys/prctl.h>

#include <algorithm>
#include <exception>
#include <optional>

namespace stasis {

using namespace agent;

namespace {

// glibc's default, held fixed (see run()).
constexpr int agent_mmap_threshold = 128 * 1024;

// "" when the job's writes are tracked, else why not.
std::string why_untracked(const RunOptions& options)
{
    return options.write_tracking ? WriteTracker::unavailable_reason() : "--no-write-tracking";
}

// Which changes a checkpoint finds (docs/image-format.md, Incremental
// generations).
std::string describe_change_detection(const std::string& untracked)
{
    if (untracked.empty()) {
        return "each after the first storing the pages written since the one before (write tracking), and "
               "where writes cannot be tracked the chunks whose checksum changed";
    }
    return "each after the first storing the chunks whose checksum changed (no write tracking: " + untracked + ")";
}

std::string describe_schedule(const RunOptions& options, const std::string& untracked)
{
    auto where = " into " + options.root.string() + ", keeping " + std::to_string(options.keep) + ", " +
                 describe_change_detection(untracked);
    auto until = options.stop_after ? "; ending the job after " + format_duration(*options.stop_after) : "";
    if (options.interval.count() == 0) {
        return "checkpoints when signalled" + where + until;
    }
    return "checkpoints every " + format_duration(options.interval) + where + until;
}

std::optional<std::string> newest_committed(const GenerationStore& store)
{
    auto entries = store.scan();
    auto it = std::find_if(entries.rbegin(), entries.rend(), [](const GenerationEntry& e) { return e.committed(); });
    return it == entries.rend() ? std::nullopt : std::optional(it->name);
}

// Whether the command starts anew whatever ROOT holds: after a job that
// finished (a scheduler that runs it again means it), or with --fresh. The
// checkpoints ROOT holds are removed then, so none is ever resumed later.
bool start_anew(const GenerationStore& store, bool fresh)
{
    if (store.finished()) {
        run_log().info("{} holds the checkpoints of a job that finished; starting the command anew",
                       store.root().string());
    } else if (!fresh) {
        return false;
    } else if (auto newest = newest_committed(store)) {
        run_log().info("{} holds checkpoints (up to {}); --fresh: removing them and starting the command anew",
                       store.root().string(), *newest);
    }
    store.forget_generations();
    return true;
}

// A scheduler may start the job's next run from a copy of its script on
// another path (Slurm: each node's spool): the shell of the restored job
// holds the script open, and finds it where it is now.
MovedFiles moved_command(const GenerationStore& store, const std::vector<std::string>& command)
{
    auto recorded = store.recorded_command();
    if (!recorded || recorded->empty() || recorded->front() == command.front() ||
        !std::filesystem::is_regular_file(command.front())) {
        return {};
    }
    return {{recorded->front(), command.front()}};
}

// The restore puts the job's output files back as they were at the
// checkpoint, and the agent's stderr may be one of them: what the agent says
// about the resume (a fallback, a moved command) is written after that, or
// it would be overwritten.
// Restores point, falling back to older generations while the restore
// finds the one it reads damaged (a chunk whose bytes changed, which only
// reading shows): the half-built tree is gone by then, and nothing of it is
// left for the older one to trip over.
StartedRestore restore_job(ResumePoint& point, const MovedFiles& moved)
{
    auto tell_about_resume = [&point, &moved] {
        if (!point.fallback.empty()) {
            run_log().warn("{}", point.fallback);
        }
        for (const auto& [was, is] : moved) {
            run_log().info("the command is {} now, not {}: the restored job reads it there", is, was);
        }
    };
    for (;;) {
        try {
            auto started = start_restored(point.dir, moved);
            tell_about_resume();
            return started;
        } catch (const ImageError& e) {
            point = fall_back(std::move(point), e.what());
        } catch (const std::exception&) {
            tell_about_resume();
            throw;
        }
    }
}

}  // namespace

int run(const RunOptions& options)
{
    auto started = Clock::now();
    set_log_level(options.log_level);
    // The agent lives as long as its job and checkpoints it again and again,
    // each time with new worker threads (the image's compression). glibc
    // gives such threads arenas of their own, whose heaps kept growing, by
    // some 2 KiB a checkpoint (tests/stress/long_run.sh); with one arena for
    // all threads the agent's memory stays flat. (A failure only keeps the
    // default.) The thresholds are fixed too: glibc raises them once a large
    // block (a manifest's text, some 200 KiB with AMX's 11 KiB XSAVE areas)
    // is freed, and then keeps up to twice that size of free heap untrimmed
    // (the heap grew by 524 KiB within a minute, tests/agent/long_run.sh).
    ::mallopt(M_ARENA_MAX, 1);
    ::mallopt(M_MMAP_THRESHOLD, agent_mmap_threshold);
    ::mallopt(M_TRIM_THRESHOLD, agent_mmap_threshold);
    // Orphans of the job stay below the agent, where the guard finds them.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        throw sys_error("cannot become the job's subreaper");
    }
    if (options.step_of) {
        return guard_step_task(options);
    }
    auto store = GenerationStore::open_or_create(options.root);
    RootLock lock(store.root());
    // Requests to the job's previous run are not for this one.
    store.clear_request(contract::stop_file);
    store.clear_request(contract::checkpoint_file);
    store.clear_request(contract::parts_request_file);
    clear_registered_tasks(store.root());
    forget_unfinished_parts(store);
    EventSource events;
    std::optional<ResumePoint> resume;
    if (!start_anew(store, options.fresh)) {
        resume = find_resume_point(store, options.resume_from, options.job);
    }
    const auto untracked = why_untracked(options);
    std::optional<JobTracer> tracer;
    auto hold = [&tracer](pid_t root) {
        tracer.emplace(root);
        tracer->attach_all();
    };
    if (resume) {
        auto restored = restore_job(*resume, moved_command(store, options.command));
        hold(restored.root);
        tracer->stand_in_for_root(restored.child);
        run_log().info("resumed {} as pid {} (the command is not started again); {}",
                       resume->dir.filename().string(), tracer->root(), describe_schedule(options, untracked));
    } else {
        launch_job(options.command, events.original_mask(), hold);
        run_log().info("started {} as pid {}; {}", options.command.front(), tracer->root(),
                       describe_schedule(options, untracked));
    }
    // The generations this run commits hold the command's path of this run.
    store.record_command(options.command);
    Supervisor supervisor(options, store, events, *tracer, resume, started, untracked.empty());
    return supervisor.supervise();
}

}  // namespace stasis
