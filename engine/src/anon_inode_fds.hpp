#pragma once
// Kernel objects a process reaches through anonymous-inode fds: eventfd,
// signalfd, timerfd and epoll. Their state is read from /proc/PID/fdinfo at
// dump and rebuilt by stasis at restore; an epoll's watch list is rebuilt
// inside the process, since it names the process's own fd numbers.
#include "restore_context.hpp"
#include "task_state.hpp"
#include "unique_fd.hpp"

#include <optional>
#include <string>

namespace stasis {

// The kind for a link target such as "anon_inode:[eventfd]"; nullopt for
// anything else (inotify, fanotify, perf, ...).
std::optional<FdKind> anon_inode_kind(const std::string& link_target);

// Fills fd.detail from the fdinfo text. Throws an Error for state stasis
// cannot restore (an epoll watching an fd that is no longer open).
void read_anon_inode_state(pid_t pid, FdState& fd, const std::string& fdinfo);

// Recreates the object with its saved state (an epoll still empty).
UniqueFd create_anon_inode_object(const FdState& saved);

// Adds the saved watches to an epoll fd of a freshly restored process, whose
// fds are all in place.
void restore_epoll_watches(RestoreContext& ctx, const FdState& epoll);

}  // namespace stasis
