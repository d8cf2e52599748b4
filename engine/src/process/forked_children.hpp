#pragma once
// Which processes of a restored tree are forked from their restored parent
// instead of exec'd on their own. A child that has not exec'd since its
// fork still shares its unwritten pages with its parent, and only a fork
// shares them again: a pool of N forked workers restored each on its own
// would take N + 1 times its parent's memory, and a job that fit its
// memory limit before the checkpoint would not fit it after.
#include "process/process_state.hpp"

#include <cstddef>
#include <vector>

namespace stasis {

// Per process of the tree (the root never): whether it is forked from its
// parent once the parent's memory is rebuilt. Such a child runs the same
// program and is in the same session and process group as its parent,
// holds pages of the parent's at the same addresses, and whose children (if
// any) are all forked from it in turn; any other process is exec'd and
// filled from the image alone.
std::vector<bool> restored_by_fork(const std::vector<ProcessState>& tree);

// Whether the region of a forked child is its parent's region inherited
// through the fork: the same mapping of the same object, not dropped or
// wiped by the fork (MADV_DONTFORK, MADV_WIPEONFORK).
bool inherited_region(const Region& parent, const Region& child);

}  // namespace stasis
