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
// description id (kcmp), and refuses pipes whose both ends are inside the
// tree, which cannot be restored yet.
void link_descriptions(std::vector<ProcessState>& tree);

}  // namespace stasis
