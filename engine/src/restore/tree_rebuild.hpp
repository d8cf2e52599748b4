#pragma once
// Rebuilding a spawned tree's processes into their checkpointed selves, up
// to the point where only their registers remain to be set: each spawned
// one from its exec; right after its memory, it forks the children restored
// as its forks (process/forked_children.hpp), which are rebuilt after it.
#include "image/chunk_reader.hpp"
#include "process/process_state.hpp"
#include "process/spawn_tree.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Returns the threads of every process (none for zombies and relaunched
// ones). The forked children's pids are added to spawned.pids.
std::vector<std::vector<pid_t>> rebuild_tree(const std::vector<ProcessState>& tree, const image::ChunkReader& reader,
                                             SpawnedTree& spawned);

}  // namespace stasis
