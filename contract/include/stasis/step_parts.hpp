#pragma once
// The parts of a generation: the images of the tasks of a job's other steps
// (Slurm's srun steps, on any node), which the job's agent commits with its
// own image as one generation (docs/image-format.md, "Step parts"). The
// engine writes them; the scheduler glue names a task's part when the task
// starts, and finds it again when a relaunched launcher starts the step anew.
#include <sys/types.h>

#include <string>

namespace stasis::contract {

// ROOT/PARTS: the job's agent asks every registered task for its part of
// one generation: "gen-NNNNNN ROUND end|run why", on one line (ROUND tells
// two requests for the same generation name apart). end: the job ends
// once the generation is committed, and so do the tasks. Removed once the
// generation is committed or has failed: the tasks' verdict.
inline constexpr const char* parts_request_file = "PARTS";
// ROOT/tasks/PART: one file per running task that can write a part,
// holding its launcher's pid, its host and its agent's pid (JSON).
inline constexpr const char* step_tasks_dir = "tasks";
// GEN/parts/PART: each part, an image directory of its own, with
// GEN/parts.json listing them; ROOT/.GEN.ROUND.parts/ while they are
// written.
inline constexpr const char* parts_dir = "parts";
inline constexpr const char* parts_list_file = "parts.json";
// In each part: where and when it was frozen.
inline constexpr const char* part_facts_file = "part.json";

// A task is named by the process of the job that launched its step (the
// job's srun: its pid as the job's processes see it) and its rank in the
// step: "launcher-1234.task-3".
inline std::string part_name(pid_t launcher, unsigned rank)
{
    return "launcher-" + std::to_string(launcher) + ".task-" + std::to_string(rank);
}

// A launcher names itself in the environment it starts its step with
// (Slurm: the plugin in srun).
inline constexpr const char* launcher_pid_env = "STASIS_LAUNCHER_PID";

// A process started anew at restore (DumpOptions::relaunch) finds these in
// its environment: the image it was relaunched from and its pid in it, so
// that the step it launches again can restore the parts it launched.
inline constexpr const char* relaunch_image_env = "STASIS_RELAUNCH_IMAGE";
inline constexpr const char* relaunch_pid_env = "STASIS_RELAUNCH_PID";

}  // namespace stasis::contract
