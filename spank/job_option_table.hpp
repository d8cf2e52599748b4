#pragma once
// The local side (sbatch, srun, salloc), and slurmstepd again: the plugin's
// options as Slurm shows them in --help and hands them back, each value
// taken into the plugin's state as it comes (job_options.hpp).
#include <slurm/spank.h>

namespace stasis::spank {

// Registers the options with Slurm (from slurm_spank_init, in every context).
void register_job_options(spank_t spank);

}  // namespace stasis::spank
