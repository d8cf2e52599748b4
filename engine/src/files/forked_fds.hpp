#pragma once
// The fds of a process restored as a fork of its restored parent
// (process/forked_children.hpp): the fork gave it its parent's; it closes
// them and receives its own, one description at a time, over the socket it
// inherited from its parent for this (process/spawn_tree.hpp).
#include "core/restore_context.hpp"
#include "files/fd_table.hpp"

#include <vector>

namespace stasis {

// ctx: the forked child. placements: its fds, as stasis's ends; channel_at:
// the number it holds the socket at; channel: stasis's end of the socket.
// Every fd but its own is closed afterwards, the socket too.
void take_own_fds(RestoreContext& ctx, const std::vector<FdPlacement>& placements, int channel_at, int channel);

}  // namespace stasis
