#pragma once
// Shared memory objects (shared anonymous or memfd mappings) of a restored
// tree: one memfd per object, filled once by stasis, handed to every process
// that maps it at a fixed fd number across its exec, mapped, then closed.
#include "image/chunk_reader.hpp"
#include "task_state.hpp"
#include "unique_fd.hpp"

#include <cstdint>
#include <map>

namespace stasis {

using SharedMemory = std::map<std::uint64_t, UniqueFd>;  // object (inode) -> memfd

SharedMemory create_shared_memory(const Checkpoint& checkpoint, const image::ChunkReader& reader);

// Object -> the fd number it has in the process between exec and mapping:
// above every fd the process had, so none is disturbed.
std::map<std::uint64_t, int> shared_memory_fds(const ProcessState& process);

}  // namespace stasis
