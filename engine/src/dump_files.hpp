#pragma once
#include "task_state.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Reads every open fd of pid. Throws an Error naming the process, the fd and
// the kind of object when one cannot be restored yet (a socket, a pipe inside
// the tree, an eventfd, a deleted file ...).
std::vector<FdState> read_fds(pid_t pid);

// Gives fds of the tree that share an open file description one common
// description id (kcmp); tells pipes inside the tree from pipes leading out
// of it, and refuses the latter beyond fds 0-2.
void link_descriptions(std::vector<ProcessState>& tree);

// Copies the unread bytes of every pipe inside the tree without consuming
// them (tee). Must run while the tree is frozen.
std::vector<PipeState> capture_pipes(const std::vector<ProcessState>& tree);

}  // namespace stasis
