#pragma once
// Hands a batch task to the stasis agent. Slurm 22.05 cannot prepend to a
// task's command line, but slurm_spank_task_init runs in the task's own
// process just before Slurm's execve of argv[0]: the plugin points argv[0]
// at `stasis` and leaves the real program and the agent's arguments in the
// environment (stasis/slurm_task_environment.hpp), which `stasis` reads and removes.
#include <slurm/spank.h>

#include <string>
#include <vector>

namespace stasis::spank {

void hand_task_to_agent(spank_t spank, const std::vector<std::string>& run_arguments);

}  // namespace stasis::spank
