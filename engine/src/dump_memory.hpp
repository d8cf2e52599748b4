#pragma once
// The memory half of a checkpoint: which regions a process has, and which of
// their pages hold data that only the process has (and so must be saved).
#include "image/chunk_writer.hpp"
#include "task_state.hpp"

#include <sys/types.h>

#include <map>
#include <vector>

namespace stasis {

// Reads /proc/PID/smaps into regions. Throws an Error naming the process and
// the mapping when it is of a kind stasis cannot restore yet.
std::vector<Region> read_regions(pid_t pid);

// A shared memory object (shared anonymous or memfd mapping, by inode) is
// saved once, with its first mapping in the tree: the owner. Its pages that
// hold data are those resident in the object.
struct SharedOwner {
    pid_t pid;
    std::uint64_t start, end, offset;  // the owner's mapping
    std::vector<bool> present;         // per page of the owner's mapping
};
using SharedPages = std::map<std::uint64_t, SharedOwner>;

// tree: every process with its final regions; residency: of every process's
// shared memory regions, by region start, in tree order.
SharedPages find_shared_pages(const std::vector<ProcessState>& tree,
                              const std::vector<std::map<std::uint64_t, std::vector<bool>>>& residency);

// Streams the data-holding pages of every region into the writer and records
// the resulting chunks in each region.
void dump_memory(pid_t pid, std::vector<Region>& regions, image::ChunkWriter& writer, const SharedPages& shared);

}  // namespace stasis
