#pragma once
// Starting the job's command as a child of the agent.
#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace stasis::agent {

// Forks, calls before_exec(child) while the child waits, then lets the child
// exec command with the given signal mask, so that a tracer attached in
// before_exec sees the job from its first instruction. The program is looked
// up in PATH first: one that is not there or not executable is an Error. An
// exec that fails even so (a bad binary) prints one line and exits 127, as
// a shell does.
pid_t launch_job(const std::vector<std::string>& command, const sigset_t& mask,
                 const std::function<void(pid_t)>& before_exec);

}  // namespace stasis::agent
