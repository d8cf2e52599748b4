#pragma once
// The remote side: slurmstepd (root) for a batch step that checkpoints. It
// reads the site's settings, plans the step before its task starts, records
// each committed generation in the job record while the task runs, and
// requeues the job after the agent's walltime checkpoint.
#include "plugin_state.hpp"

#include <slurm/spank.h>

namespace stasis::spank {

// slurm_spank_init: the job and the site's settings.
void start_in_slurmstepd(PluginState& state, spank_t spank, int argc, char** argv);

// slurm_spank_init_post_opt: the plan, when the job asked for checkpoints.
void plan_batch_step(PluginState& state, spank_t spank);

// slurm_spank_task_post_fork: the agent runs; watch its ROOT.
void start_recording(PluginState& state);

// slurm_spank_task_exit: the last generation recorded; a requeue after the
// walltime checkpoint.
void end_batch_task(PluginState& state, spank_t spank);

// slurm_spank_exit, and after the task: stops watching, recording what
// LATEST names last.
void stop_recording(PluginState& state);

}  // namespace stasis::spank
