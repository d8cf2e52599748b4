#pragma once
// The dump half of pipes (pipes/pipe_kind.hpp).
#include "image/checkpoint.hpp"

#include <vector>

namespace stasis {

// Tells pipes inside the tree from pipes leading out of it: on fds 0-2 the
// latter become kind inherit (a restore hands over its own fds 0-2); on
// higher fds they stay pipes, restored with the end outside closed.
void classify_pipes(std::vector<ProcessState>& tree);

// Copies the unread bytes of every pipe inside the tree into the checkpoint
// without consuming them (tee). Must run while the tree is frozen.
void capture_pipes(const std::vector<ProcessState>& tree, Checkpoint& checkpoint);

}  // namespace stasis
