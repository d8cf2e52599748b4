#include "slurm_task.hpp"

#include <stasis/error.hpp>

#include <stasis/slurm_task_environment.hpp>

#include <cstdlib>

namespace stasis::cli {

std::optional<std::vector<std::string>> slurm_task_command_line(int argc, char** argv)
{
    const char* handover = std::getenv(slurm_task_variable);
    if (!handover) {
        return std::nullopt;
    }
    SlurmTask task;
    try {
        task = decode_slurm_task(handover);
    } catch (const std::exception& e) {
        throw Error(std::string("the task handed over by the Slurm plugin is unreadable (") + slurm_task_variable +
                    "): " + e.what());
    }
    ::unsetenv(slurm_task_variable);
    std::vector<std::string> line = {"stasis", "run"};
    line.insert(line.end(), task.run_arguments.begin(), task.run_arguments.end());
    line.emplace_back("--");
    line.push_back(task.program);
    line.insert(line.end(), argv + 1, argv + argc);
    return line;
}

}  // namespace stasis::cli
