#pragma once
// The dump driver of fds: every open fd of every process of the frozen tree,
// each handed to its kind (files/fd_kind.hpp).
#include "image/checkpoint.hpp"

#include <sys/types.h>

#include <limits>
#include <vector>

namespace stasis {

// Reads every open fd of pid up to last_fd (a process started anew keeps
// only 0-2: DumpOptions::relaunch). Throws an Error naming the process, the
// fd and the kind of object when one cannot be restored (yet).
std::vector<FdState> read_fds(pid_t pid, int last_fd = std::numeric_limits<int>::max());

// Once every process's fds are read: refuses processes that share one fd
// table, gives fds of the tree that share an open file description one
// description id (kcmp), then lets each kind look at the whole tree
// (FdKindOps::link_tree).
void link_descriptions(std::vector<ProcessState>& tree);

// While the tree is frozen: each kind's tree-wide state into the
// checkpoint (FdKindOps::capture).
void capture_fd_objects(const std::vector<ProcessState>& tree, Checkpoint& checkpoint);

}  // namespace stasis
