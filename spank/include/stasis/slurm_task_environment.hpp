#pragma once
// The handover of a Slurm task from the plugin to `stasis`: the plugin puts
// the task's real program and the arguments of `stasis run` into one
// environment variable and execs `stasis` in its place; `stasis` takes the
// variable out of the environment before the job sees it.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#ifndef STASIS_PROGRAM
#error "STASIS_PROGRAM (the installed path of the stasis command) must be defined by the build"
#endif

namespace stasis {

inline constexpr const char* slurm_task_variable = "STASIS_SLURM_TASK";
inline constexpr const char* stasis_program = STASIS_PROGRAM;

struct SlurmTask {
    std::string program;                   // the task's argv[0], as Slurm would exec it
    std::vector<std::string> run_arguments;  // for `stasis run`, before "--"
};

inline std::string encode_slurm_task(const SlurmTask& task)
{
    return nlohmann::json{{"program", task.program}, {"run", task.run_arguments}}.dump();
}

// Throws nlohmann::json::exception when text is not what encode_slurm_task wrote.
inline SlurmTask decode_slurm_task(const std::string& text)
{
    auto j = nlohmann::json::parse(text);
    return SlurmTask{j.at("program").get<std::string>(), j.at("run").get<std::vector<std::string>>()};
}

}  // namespace stasis
