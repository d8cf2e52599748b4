#pragma once
// `stasis run --step-of ROOT`: the agent of one task of a job step other
// than the one the job's own agent runs (a Slurm job's `srun` steps, on any
// node of the job). It takes no checkpoint of its own: it guards the task
// like the job's agent does, and a guarded signal to the task or to itself
// (the scheduler ending the job: Slurm cancels a preempted job's steps
// before it signals the batch script) is held and passed to the job's agent
// as ROOT/STOP. The task stays held, so the job's script cannot run past the
// step, until the job's agent ends the job, or for hold_limit at most.
#include <stasis/run.hpp>

#include <chrono>

namespace stasis::agent {

// Long enough for the job's agent to see the request and end the job.
inline constexpr auto hold_limit = std::chrono::seconds(60);

// Returns the task's exit status (128 + signal when a signal ended it).
int guard_step_task(const RunOptions& options);

}  // namespace stasis::agent
