#pragma once
// A restored process from its fork to its exec: it forks its own children,
// joins its session and group, takes its terminal, reports to stasis, waits
// to be traced, places its fds and attributes, and execs its saved program.
// Only async-signal-safe calls.
#include "process/spawn_plan.hpp"

#include <sys/types.h>

namespace stasis {

// Forks the process plan.tree[index] (with its saved pid when the plan
// restores original ids) and, in the child, lives its life up to exec.
// Returns the child's pid, or -1.
pid_t spawn(const SpawnPlan& plan, std::size_t index);

}  // namespace stasis
