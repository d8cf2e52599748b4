// stasis.so: the SPANK entry points, each handing its context to its own
// file: the options in every context (job_option_table.cpp), the batch step
// in slurmstepd (batch_step.cpp), the task in its own process just before
// its exec (task_handover.cpp). Each entry point is a boundary: nothing
// thrown below crosses into Slurm; it is logged with the job id instead. A
// problem on the root side leaves the job running untouched, without
// checkpoints; only a bad option fails, at submission.

// spank.h declares the entry points outside its own extern "C" block; they
// must have C linkage for Slurm to find them, so it comes first, in one.
extern "C" {
#include <slurm/spank.h>
}

#include "batch_step.hpp"
#include "job_option_table.hpp"
#include "launcher_env.hpp"
#include "plugin_state.hpp"
#include "task_handover.hpp"

#include <chrono>

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

template <typename Body>
int boundary(const char* where, Body&& body)
{
    auto& state = plugin_state();
    try {
        body(state);
        return 0;
    } catch (const std::exception& e) {
        // Before the job is known (sbatch), the line is the user's answer.
        if (state.log.job_id() != 0) {
            state.log.error("{}: {}", where, e.what());
        } else {
            state.log.error("{}", e.what());
        }
        return -1;
    }
}

}  // namespace

extern "C" int slurm_spank_init(spank_t spank, int argc, char** argv)
{
    return boundary("init", [&](PluginState& state) {
        register_job_options(spank);
        if (spank_remote(spank)) {
            start_in_slurmstepd(state, spank, argc, argv);
        } else if (spank_context() == S_CTX_LOCAL) {
            name_launcher();
        }
    });
}

extern "C" int slurm_spank_init_post_opt(spank_t spank, int, char**)
{
    return boundary("options", [&](PluginState& state) {
        check_option_combination(state.options);
        if (spank_remote(spank)) {
            plan_job_step(state, spank);
        }
    });
}

extern "C" int slurm_spank_task_init(spank_t spank, int, char**)
{
    return boundary("handing the task to stasis", [&](PluginState& state) {
        if (state.plan) {
            hand_task_to_agent(spank, state.plan->run_arguments(std::chrono::system_clock::now()));
        } else if (state.step_tasks) {
            std::uint32_t rank = 0;
            spank_get_item(spank, S_TASK_GLOBAL_ID, &rank);
            hand_task_to_agent(spank, state.step_tasks->run_arguments(rank));
        }
    });
}

extern "C" int slurm_spank_task_post_fork(spank_t, int, char**)
{
    return boundary("watching checkpoints", [](PluginState& state) { start_recording(state); });
}

extern "C" int slurm_spank_task_exit(spank_t spank, int, char**)
{
    return boundary("after the task", [&](PluginState& state) { end_batch_task(state, spank); });
}

extern "C" int slurm_spank_exit(spank_t, int, char**)
{
    return boundary("exit", [](PluginState& state) { stop_recording(state); });
}
