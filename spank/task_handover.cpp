#include "task_handover.hpp"

#include "plugin_error.hpp"

#include <stasis/slurm_task_environment.hpp>

#include <cstring>

namespace stasis::spank {

void hand_task_to_agent(spank_t spank, const std::vector<std::string>& run_arguments)
{
    int argc = 0;
    char** argv = nullptr;
    if (spank_get_item(spank, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || argc < 1 || !argv || !argv[0]) {
        throw PluginError("cannot read the task's command line");
    }
    auto handover = encode_slurm_task(SlurmTask{argv[0], run_arguments});
    if (spank_setenv(spank, slurm_task_variable, handover.c_str(), 1) != ESPANK_SUCCESS) {
        throw PluginError(std::string("cannot set ") + slurm_task_variable + " for the task");
    }
    // The array is Slurm's and freed by nobody in this short-lived process.
    argv[0] = ::strdup(stasis_program);
}

}  // namespace stasis::spank
