#include "agent/run.hpp"

#include "agent/event_source.hpp"
#include "agent/generation_store.hpp"
#include "agent/job_launch.hpp"
#include "agent/job_tracer.hpp"
#include "agent/resume_point.hpp"
#include "agent/root_lock.hpp"
#include "agent/run_log.hpp"
#include "agent/supervisor.hpp"
#include "error.hpp"
#include "restore.hpp"
#include "stasis/duration.hpp"

#include <sys/prctl.h>

#include <optional>

namespace stasis::agent {

namespace {

std::string describe_schedule(const RunOptions& options)
{
    auto where = " into " + options.root.string() + ", keeping " + std::to_string(options.keep);
    auto until = options.stop_after ? "; ending the job after " + format_duration(*options.stop_after) : "";
    if (options.interval.count() == 0) {
        return "checkpoints when signalled" + where + until;
    }
    return "checkpoints every " + format_duration(options.interval) + where + until;
}

}  // namespace

int run(const RunOptions& options)
{
    auto started = Clock::now();
    // Orphans of the job stay below the agent, where the guard finds them.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        throw sys_error("cannot become the job's subreaper");
    }
    auto store = GenerationStore::open_or_create(options.root);
    RootLock lock(store.root());
    EventSource events;
    if (store.finished()) {
        run_log().info("{} holds the checkpoints of a job that finished; starting the command anew",
                       store.root().string());
        store.forget_finished_job();
    }
    auto resume = find_resume_point(store);
    std::optional<JobTracer> tracer;
    auto hold = [&tracer](pid_t root) {
        tracer.emplace(root);
        tracer->attach_all();
    };
    if (resume) {
        hold(start_restored(resume->dir));
        run_log().info("resumed {} as pid {} (the command is not started again); {}",
                       resume->dir.filename().string(), tracer->root(), describe_schedule(options));
    } else {
        launch_job(options.command, events.original_mask(), hold);
        run_log().info("started {} as pid {}; {}", options.command.front(), tracer->root(),
                       describe_schedule(options));
    }
    Supervisor supervisor(options, store, events, *tracer, resume ? resume->unusable : std::vector<std::string>{},
                          started);
    return supervisor.supervise();
}

}  // namespace stasis::agent
