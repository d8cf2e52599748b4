#pragma once
// The memory half of a checkpoint: which regions a process has, and which of
// their pages hold data that only the process has (and so must be saved).
#include "image/chunk_writer.hpp"
#include "task_state.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Reads /proc/PID/smaps into regions. Throws an Error naming the process and
// the mapping when it is of a kind stasis cannot restore yet.
std::vector<Region> read_regions(pid_t pid);

// Streams the data-holding pages of every region into the writer and records
// the resulting chunks in each region.
void dump_memory(pid_t pid, std::vector<Region>& regions, image::ChunkWriter& writer);

}  // namespace stasis
