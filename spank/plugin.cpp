// stasis.so: the SPANK entry points. Each one is a boundary: nothing thrown
// below crosses into Slurm; it is logged with the job id instead. A problem
// on the root side leaves the job running untouched, without checkpoints;
// only a bad option fails, at submission.

// spank.h declares the entry points outside its own extern "C" block; they
// must have C linkage for Slurm to find them, so it comes first, in one.
extern "C" {
#include <slurm/spank.h>
}

#include "generation_recorder.hpp"
#include "job_record.hpp"
#include "job_options.hpp"
#include "plugin_error.hpp"
#include "plugin_settings.hpp"
#include "slurm_log.hpp"
#include "step_plan.hpp"
#include "task_handover.hpp"

#include <slurm/slurm.h>
#include <stasis/exit_requeue.hpp>
#include <sys/wait.h>

#include <memory>
#include <optional>

// Slurm looks these up by name; a const object has internal linkage in C++
// unless declared extern first.
extern "C" {
extern const char plugin_name[];
extern const char plugin_type[];
extern const unsigned int plugin_version;
extern const unsigned int spank_plugin_version;
SPANK_PLUGIN(stasis, 1)
}

namespace {

using namespace stasis::spank;

constexpr auto record_poll = std::chrono::seconds(1);
constexpr auto walltime_slack = std::chrono::seconds(5);

struct StepState {
    std::optional<stasis::SiteConfig> settings;
    std::uint32_t job_id = 0;
    std::optional<StepPlan> plan;  // set when this step checkpoints
    std::unique_ptr<GenerationRecorder> recorder;
};

StepState state;

template <typename T>
T item(spank_t spank, spank_item_t which)
{
    T value{};
    if (spank_get_item(spank, which, &value) != ESPANK_SUCCESS) {
        throw PluginError("cannot read a job item from Slurm");
    }
    return value;
}

template <typename Body>
int boundary(const char* where, Body&& body)
{
    try {
        return body();
    } catch (const std::exception& e) {
        if (state.job_id != 0) {
            log_error(state.job_id, "{}: {}", where, e.what());
        } else {
            slurm_error("stasis: %s", e.what());
        }
        return -1;
    }
}

bool is_batch_step(spank_t spank)
{
    return item<std::uint32_t>(spank, S_JOB_STEPID) == SLURM_BATCH_SCRIPT;
}

void plan_batch_step(spank_t spank)
{
    StepFacts facts;
    facts.job_id = state.job_id;
    facts.owner = {item<uid_t>(spank, S_JOB_UID), item<gid_t>(spank, S_JOB_GID)};
    try {
        state.plan = plan_step(*state.settings, job_options(), facts);
    } catch (const std::exception& e) {
        log_error(state.job_id, "{}; the job runs without checkpoints", e.what());
        return;
    }
    const auto& plan = *state.plan;
    log_info(state.job_id, "checkpoints into {} every {}s, keeping {}; {}", plan.root.string(),
             plan.interval.count(), plan.keep,
             plan.resume_from ? "resuming from " + *plan.resume_from : std::string("starting anew"));
}

void stop_recording()
{
    if (state.recorder) {
        state.recorder->finish();
        state.recorder.reset();
    }
}

bool ended_for_walltime(int wait_status)
{
    return state.plan && state.plan->stop_at && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == stasis::contract::exit_requeue &&
           std::chrono::system_clock::now() >= *state.plan->stop_at - walltime_slack;
}

}  // namespace

extern "C" int slurm_spank_init(spank_t spank, int argc, char** argv)
{
    return boundary("init", [&] {
        register_job_options(spank);
        if (spank_remote(spank)) {
            state.job_id = item<std::uint32_t>(spank, S_JOB_ID);
            try {
                state.settings = load_plugin_settings(argc, argv);
            } catch (const std::exception& e) {
                log_error(state.job_id, "{}; jobs run without checkpoints", e.what());
            }
        }
        return 0;
    });
}

extern "C" int slurm_spank_init_post_opt(spank_t spank, int, char**)
{
    return boundary("options", [&] {
        check_option_combination();
        if (spank_remote(spank) && state.settings && job_options().wants_checkpoints() && is_batch_step(spank)) {
            plan_batch_step(spank);
        }
        return 0;
    });
}

extern "C" int slurm_spank_task_init(spank_t spank, int, char**)
{
    if (!state.plan) {
        return 0;
    }
    return boundary("handing the task to stasis", [&] {
        hand_task_to_agent(spank, state.plan->run_arguments());
        return 0;
    });
}

extern "C" int slurm_spank_task_post_fork(spank_t, int, char**)
{
    if (!state.plan || state.recorder) {
        return 0;
    }
    return boundary("watching checkpoints", [&] {
        state.recorder = std::make_unique<GenerationRecorder>(state.job_id, state.plan->root);
        state.recorder->start(record_poll);
        return 0;
    });
}

extern "C" int slurm_spank_task_exit(spank_t spank, int, char**)
{
    if (!state.recorder) {
        return 0;
    }
    return boundary("after the task", [&] {
        stop_recording();
        if (ended_for_walltime(item<int>(spank, S_TASK_EXIT_STATUS))) {
            log_info(state.job_id, "checkpointed before the time limit; requeueing the job");
            requeue_job(state.job_id);
        }
        return 0;
    });
}

extern "C" int slurm_spank_exit(spank_t, int, char**)
{
    return boundary("exit", [&] {
        stop_recording();
        return 0;
    });
}
