#pragma once
// Plans a batch step in slurmstepd: the decisions of step_plan.hpp and
// resume_choice.hpp, fed with the job record from slurmctld, and the
// recorded generation checked on disk before the job is pointed at it.
#include "checkpoint_root.hpp"
#include "job_options.hpp"
#include "launcher_env.hpp"
#include "slurm_log.hpp"
#include "step_plan.hpp"

#include <stasis/site_config.hpp>

#include <cstdint>

namespace stasis::spank {

struct StepFacts {
    std::uint32_t job_id = 0;
    JobOwner owner;
};

// Throws PluginError when the job cannot be checkpointed safely; the caller
// then runs it untouched.
StepPlan plan_step(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts, const JobLog& log);

// What a step other than the batch step is, beyond the job.
struct OtherStepFacts {
    std::uint32_t step = 0;  // Slurm's step id
    LauncherFacts launcher;
    unsigned task_count = 0;           // in the whole step
    std::vector<unsigned> local_ranks;  // of the tasks on this node
};

// For a step other than the batch step: the plan of its tasks, or nullopt
// when the job runs no batch script (srun or salloc alone: no agent to pass
// a signal on to) or has no checkpoint directory (its batch step runs
// without checkpoints). Throws PluginError as plan_step does. A step whose
// srun was relaunched from a generation resumes its tasks from their parts
// there when it holds one for every task (else it starts anew, saying why).
std::optional<StepTaskPlan> plan_step_tasks(const SiteConfig& settings, const JobOptions& options,
                                            const StepFacts& facts, const OtherStepFacts& step, const JobLog& log);

}  // namespace stasis::spank
