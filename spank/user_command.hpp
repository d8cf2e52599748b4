#pragma once
// Runs a program as the job's user from slurmstepd (root) and collects what
// it prints: the plugin asks `stasis` about the user's files rather than
// reading them as root itself.
#include "checkpoint_root.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace stasis::spank {

struct CommandOutput {
    int status = 0;  // as waitpid gives it
    std::string out;
    std::string err;
};

// Runs argv (argv[0] an absolute path) as owner, without supplementary
// groups, with a minimal environment, stdin on /dev/null, / as its working
// directory and none of the caller's other fds. Throws PluginError when it
// cannot be started, or writes more than max_output bytes or runs past
// timeout (it is then killed).
CommandOutput run_as_user(const std::vector<std::string>& argv, const JobOwner& owner,
                          std::chrono::milliseconds timeout, std::size_t max_output);

}  // namespace stasis::spank
