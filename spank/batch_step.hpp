#pragma once
// The remote side: slurmstepd (root) for a job that checkpoints. It reads
// the site's settings and plans each step before its tasks start: the batch
// step's task runs under the job's agent, whose committed generations it
// records in the job record and after whose walltime checkpoint, or a stop
// a step asked for, it requeues the job; the tasks of the job's other steps
// (srun) run guarded, passing a scheduler's signal on to that agent.
#include "plugin_state.hpp"

#include <slurm/spank.h>

namespace stasis::spank {

// slurm_spank_init: the job and the site's settings.
void start_in_slurmstepd(PluginState& state, spank_t spank, int argc, char** argv);

// slurm_spank_init_post_opt: the step's plan, when the job asked for
// checkpoints.
void plan_job_step(PluginState& state, spank_t spank);

// slurm_spank_task_post_fork: the agent runs; watch its ROOT.
void start_recording(PluginState& state);

// slurm_spank_task_exit: the last generation recorded; a requeue after the
// walltime checkpoint or a stop a step asked for.
void end_batch_task(PluginState& state, spank_t spank);

// slurm_spank_exit, and after the task: stops watching, recording what
// LATEST names last.
void stop_recording(PluginState& state);

}  // namespace stasis::spank
