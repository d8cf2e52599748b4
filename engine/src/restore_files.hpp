#pragma once
// The fd half of a restore: files are opened by stasis before the new
// process exists and then placed at their numbers inside it.
#include "task_state.hpp"
#include "unique_fd.hpp"

#include <vector>

namespace stasis {

struct PreparedFd {
    int target = -1;
    UniqueFd fd;
    bool cloexec = false;
};

// Opens every saved fd at its saved flags and offset. Throws an Error naming
// the fd and the file when one cannot be reopened.
std::vector<PreparedFd> prepare_fds(const ProcessState& process);

// Runs in the forked child before exec: only async-signal-safe calls. Puts
// each prepared fd at its target number and closes everything else.
// Returns false if the kernel refused.
bool install_fds(std::vector<PreparedFd>& fds) noexcept;

}  // namespace stasis
