#pragma once
// `stasis` started by the Slurm plugin in place of a batch task
// (spank/include/stasis/slurm_task_environment.hpp): the command line it
// stands for.
#include <optional>
#include <string>
#include <vector>

namespace stasis::cli {

// When the plugin handed this process a task: `stasis run <arguments> --
// <program> <argv[1]...>`, with the handover variable taken out of the
// environment. Nothing otherwise.
std::optional<std::vector<std::string>> slurm_task_command_line(int argc, char** argv);

}  // namespace stasis::cli
