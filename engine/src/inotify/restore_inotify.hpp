#pragma once
// The restore half of inotify: a new instance of stasis's own, its
// watches added again by path with their masks and their watch
// descriptors. The kernel hands descriptors out in increasing order per
// instance, never reusing one until it wraps, so a gap is filled by adding
// and removing a watch on a throw-away inode; the IN_IGNORED events that
// removal queues are read away before the program gets the instance.
#include "files/fd_kind.hpp"

namespace stasis {

// FdKindOps::open of the inotify kind.
UniqueFd open_inotify(const FdState& saved, RestoreSources& sources);

}  // namespace stasis
