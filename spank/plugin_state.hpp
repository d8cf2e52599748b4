#pragma once
// Everything the plugin remembers, in one object. Slurm loads the plugin
// once per process (sbatch, slurmstepd, and the task's copy of slurmstepd
// after fork) and calls the option callbacks as plain C functions without
// user data, so this is the one global object they and the entry points share.
#include "generation_recorder.hpp"
#include "job_options.hpp"
#include "slurm_log.hpp"
#include "step_plan.hpp"

#include <stasis/site_config.hpp>

#include <memory>
#include <optional>

namespace stasis::spank {

struct PluginState {
    JobOptions options;                            // every context: what the option callbacks took
    JobLog log;                                    // slurmstepd: names the job, at the site's log_level
    std::optional<SiteConfig> settings;            // slurmstepd: the site's, when they could be read
    std::optional<StepPlan> plan;                  // slurmstepd and the task: set when this step checkpoints
    std::optional<StepTaskPlan> step_tasks;        // likewise, for a step the batch step's agent stands for
    std::unique_ptr<GenerationRecorder> recorder;  // slurmstepd, while the batch task runs
};

PluginState& plugin_state();

}  // namespace stasis::spank
