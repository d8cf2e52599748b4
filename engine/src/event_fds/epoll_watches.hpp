#pragma once
// An epoll's watches across the tree. The kernel keys a watch by the file
// and the fd number it was added with, and keeps it while the file lives:
// the number may have been closed since (a dup holds the file) or reused for
// another file, and in an epoll shared after fork it may be a number of
// another process's fd table. So the dump finds the open file description
// each watch is on, and the restore re-adds all of an epoll's watches in one
// holder, handing it the files it no longer has at the watched numbers.
#include "core/restore_context.hpp"
#include "process/process_state.hpp"

#include <cstddef>
#include <set>
#include <vector>

namespace stasis {

// Dump, tree frozen: sets each watch's description. Throws an Error naming
// the process, the epoll's fd and the watched fd when no process of the tree
// holds the watched file.
void link_epoll_watches(std::vector<ProcessState>& tree);

// Restore: the fds process `index` gets across exec for the watches it
// re-adds but does not hold at their numbers: at the watched number where
// that is free, else above `taken` (its own fds and other handed fds).
EpollWatchFds epoll_watch_fds(const std::vector<ProcessState>& tree, std::size_t index, const std::set<int>& taken);

// Restore, inside the restored process `index` once its fds are in place:
// re-adds the watches of the epoll if this process is the holder chosen to
// (the first whose fd table has every watched number in place or free, else
// the first holder).
void rebuild_epoll_watches(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index,
                           const FdState& epoll);

// Restore, after every epoll of the process is rebuilt: closes its handed fds.
void close_epoll_watch_fds(RestoreContext& ctx);

}  // namespace stasis
