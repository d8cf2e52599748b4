#pragma once
// Which srun of the batch script launched a step, and from which generation
// that srun was relaunched (contract/step_parts.hpp), carried in the step's
// environment from srun to slurmstepd.
#include <slurm/spank.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace stasis::spank {

struct LauncherFacts {
    std::optional<pid_t> launcher;
    std::optional<std::filesystem::path> relaunch_image;
    std::optional<pid_t> relaunch_pid;
};

// In srun: its own pid goes into the environment it launches its step with.
// An srun relaunched at restore also opens its step's --output and --error
// files for appending (SLURM_OPEN_MODE, read after the plugins' init): they
// hold what the step printed up to the checkpoint, and its tasks go on from
// there.
void name_launcher();

// In slurmstepd: reads the facts and removes them from the step's
// environment, so that neither its tasks nor an srun they run inherit them.
LauncherFacts take_launcher_facts(spank_t spank);

}  // namespace stasis::spank
