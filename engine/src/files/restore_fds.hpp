#pragma once
// The restore driver of fds: stasis opens every saved open file description
// once, through its kind (files/fd_kind.hpp), before any restored process
// exists; each process then places the ones it had at its fd numbers
// (files/fd_table.hpp) and, after its exec, finishes what only it can do.
#include "core/restore_context.hpp"
#include <stasis/unique_fd.hpp>
#include "files/fd_kind.hpp"
#include "files/fd_table.hpp"
#include "image/checkpoint.hpp"

#include <cstddef>
#include <map>
#include <vector>

namespace stasis {

// Description id (FdState::description) -> an fd of stasis's own.
using OpenDescriptions = std::map<int, UniqueFd>;

// Throws an Error naming the fd and the file when one cannot be reopened.
OpenDescriptions open_descriptions(RestoreSources& sources);

std::vector<FdPlacement> placements_for(const ProcessState& process, const OpenDescriptions& open);

// In restored process `index` of the tree, after its exec: close-on-exec
// flags, and each kind's FdKindOps::rebuild.
void finish_fds(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index);

}  // namespace stasis
