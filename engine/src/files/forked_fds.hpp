#pragma once
// The fds of a process restored as a fork of its restored parent
// (process/forked_children.hpp): the fork gave it its parent's; it closes
// them and receives its own, one description at a time, over the socket it
// inherited from its parent for this (process/spawn_tree.hpp).
#include "core/restore_context.hpp"
#include "files/fd_table.hpp"

#include <vector>

namespace stasis {

// The socket that hands a forked child its fds.
struct FdChannel {
    int at = -1;       // the number the child inherited it at
    int stasis = -1;   // stasis's end
};

// ctx: the forked child; placements: its fds, as stasis's ends. Every fd
// but its own is closed afterwards; the socket too, unless keep_at is a
// number (not -1): the child's own forked children inherit it there.
void take_own_fds(RestoreContext& ctx, const std::vector<FdPlacement>& placements, FdChannel channel, int keep_at);

}  // namespace stasis
