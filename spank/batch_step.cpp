#include "batch_step.hpp"

#include "job_record.hpp"
#include "plugin_error.hpp"
#include "plugin_settings.hpp"
#include "step_planning.hpp"

#include <slurm/slurm.h>
#include <stasis/exit_requeue.hpp>
#include <stasis/root_layout.hpp>
#include <sys/stat.h>
#include <sys/wait.h>

namespace stasis::spank {

namespace {

constexpr auto record_poll = std::chrono::seconds(1);
// The agent's --stop-after counts whole seconds, rounded down, from the
// task's start: its walltime checkpoint may end the job a little before
// stop_at. An exit 75 well before it was a preemption.
constexpr auto walltime_slack = std::chrono::seconds(5);

template <typename T>
T item(spank_t spank, spank_item_t which)
{
    T value{};
    if (spank_get_item(spank, which, &value) != ESPANK_SUCCESS) {
        throw PluginError("cannot read a job item from Slurm");
    }
    return value;
}

bool ended_for_walltime(const PluginState& state, int wait_status)
{
    return state.plan && state.plan->stop_at && WIFEXITED(wait_status) &&
           WEXITSTATUS(wait_status) == contract::exit_requeue &&
           std::chrono::system_clock::now() >= *state.plan->stop_at - walltime_slack;
}

// ROOT/STOP: a signal to a step's task made the agent end the job before
// Slurm signalled the batch step. Slurm cancels a preempted job's steps at
// once and requeues it only when the grace time is over: a job that ends
// before then would end as failed, or even completed.
std::optional<std::string> step_asked_to_stop(const std::filesystem::path& root)
{
    struct stat st {};
    auto path = root / contract::stop_file;
    if (::lstat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return path.string();
}

// A job being cancelled (scancel signals every step too) stays cancelled.
void requeue_after_step_stop(const PluginState& state, const std::string& why)
{
    if (!load_job_record(state.log.job_id()).running) {
        state.log.info("a step asked to stop the job ({}), which Slurm is ending itself; not requeued", why);
        return;
    }
    state.log.info("a step asked to stop the job ({}); requeueing the job", why);
    requeue_job(state.log.job_id());
}

std::string describe(const StepPlan& plan)
{
    std::string args;
    for (const auto& arg : plan.run_arguments(std::chrono::system_clock::now())) {
        args += " " + arg;
    }
    return args;
}

OtherStepFacts other_step_facts(spank_t spank, std::uint32_t id)
{
    OtherStepFacts step;
    step.step = id;
    step.launcher = take_launcher_facts(spank);
    step.task_count = item<std::uint32_t>(spank, S_JOB_TOTAL_TASK_COUNT);
    auto local = item<std::uint32_t>(spank, S_JOB_LOCAL_TASK_COUNT);
    for (std::uint32_t i = 0; i < local; ++i) {
        std::uint32_t global = 0;
        if (spank_get_item(spank, S_JOB_LOCAL_TO_GLOBAL_ID, i, &global) != ESPANK_SUCCESS) {
            throw PluginError("cannot read the rank of local task " + std::to_string(i) + " from Slurm");
        }
        step.local_ranks.push_back(global);
    }
    return step;
}

void plan_other_step(PluginState& state, spank_t spank, const StepFacts& facts, std::uint32_t step)
{
    try {
        state.step_tasks = plan_step_tasks(*state.settings, state.options, facts, other_step_facts(spank, step), state.log);
    } catch (const std::exception& e) {
        state.log.error("step {}: {}; the step runs unguarded", step, e.what());
        return;
    }
    if (state.step_tasks) {
        state.log.info("step {}: its tasks run guarded; a signal to them stops the job through {}", step,
                       (state.step_tasks->root / contract::stop_file).string());
    }
}

}  // namespace

void start_in_slurmstepd(PluginState& state, spank_t spank, int argc, char** argv)
{
    auto job_id = item<std::uint32_t>(spank, S_JOB_ID);
    state.log = JobLog(job_id, LogLevel::info);
    try {
        state.settings = load_plugin_settings(argc, argv);
        state.log = JobLog(job_id, state.settings->log_level);
    } catch (const std::exception& e) {
        state.log.error("{}; jobs run without checkpoints", e.what());
    }
}

void plan_job_step(PluginState& state, spank_t spank)
{
    if (!state.settings || !state.options.wants_checkpoints()) {
        return;
    }
    StepFacts facts{state.log.job_id(), {item<uid_t>(spank, S_JOB_UID), item<gid_t>(spank, S_JOB_GID)}};
    auto step = item<std::uint32_t>(spank, S_JOB_STEPID);
    if (step <= SLURM_MAX_NORMAL_STEP_ID) {
        plan_other_step(state, spank, facts, step);
        return;
    }
    if (step != SLURM_BATCH_SCRIPT) {
        return;  // the extern or interactive step
    }
    try {
        state.plan = plan_step(*state.settings, state.options, facts, state.log);
    } catch (const std::exception& e) {
        state.log.error("{}; the job runs without checkpoints", e.what());
        return;
    }
    const auto& plan = *state.plan;
    state.log.info("checkpoints into {} every {}s, keeping {}; {}", plan.root.string(), plan.interval.count(),
                   plan.keep, plan.resume_from ? "resuming from " + *plan.resume_from : std::string("starting anew"));
    state.log.debug("the batch task runs under stasis run{}", describe(plan));
}

void start_recording(PluginState& state)
{
    if (!state.plan || state.recorder) {
        return;
    }
    state.recorder = std::make_unique<GenerationRecorder>(state.log, state.plan->root, state.plan->job);
    state.recorder->start(record_poll);
}

void end_batch_task(PluginState& state, spank_t spank)
{
    if (!state.recorder) {
        return;
    }
    stop_recording(state);
    if (auto why = step_asked_to_stop(state.plan->root)) {
        requeue_after_step_stop(state, *why);
    } else if (ended_for_walltime(state, item<int>(spank, S_TASK_EXIT_STATUS))) {
        state.log.info("checkpointed before the time limit; requeueing the job");
        requeue_job(state.log.job_id());
    }
}

void stop_recording(PluginState& state)
{
    if (state.recorder) {
        state.recorder->finish();
        state.recorder.reset();
    }
}

}  // namespace stasis::spank
