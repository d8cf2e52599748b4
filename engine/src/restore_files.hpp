#pragma once
// The fd half of a restore: stasis opens every saved open file description
// once, before any restored process exists; each process, between fork and
// exec, then places the ones it had at its fd numbers.
#include "restore_terminal.hpp"
#include "task_state.hpp"
#include "unique_fd.hpp"

#include <map>
#include <vector>

namespace stasis {

// Description id (FdState::description) -> an fd of stasis's own.
using OpenDescriptions = std::map<int, UniqueFd>;

// Opens every description of the tree at its saved flags and offset, and
// recreates the tree's pipes with their unread data. A description of a
// terminal is a new one of its pty's slave; without ptys (terminals empty)
// it is the restorer's own fd of that number if it is 0-2, else its fd 0-2
// where the tree had the same terminal, else /dev/null. Throws an Error
// naming the fd and the file when one cannot be reopened.
OpenDescriptions open_descriptions(const Checkpoint& checkpoint, const RestoredTerminals& terminals);

struct FdPlacement {
    int target = -1;  // fd number in the restored process
    int source = -1;  // stasis's fd for its description
};

std::vector<FdPlacement> placements_for(const ProcessState& process, const OpenDescriptions& open);

// Runs in the forked child before exec: only async-signal-safe calls. Puts
// each source at its target number and closes every other fd. Close-on-exec
// flags are set after exec. Returns false if the kernel refused.
bool install_fds(const std::vector<FdPlacement>& placements) noexcept;

}  // namespace stasis
