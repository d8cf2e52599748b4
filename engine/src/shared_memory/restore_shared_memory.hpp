#pragma once
// The restore half of shared memory. Shared anonymous and memfd objects of a
// restored tree: one memfd per object, filled once by stasis, handed to every
// process that maps it at a fixed fd number across its exec, mapped, then
// closed. SysV segments: created with their ids in the restore's own IPC
// namespace, attached by each process at their addresses.
#include "image/chunk_reader.hpp"
#include "core/restore_context.hpp"
#include "image/checkpoint.hpp"
#include <stasis/unique_fd.hpp>

#include <cstdint>
#include <map>

namespace stasis {

// Object -> stasis's fd for it: a memfd per shared anonymous object; a
// recreated unnamed file (unnamed_files/) per such file.
using SharedMemory = std::map<ObjectId, UniqueFd>;

SharedMemory create_shared_memory(const Checkpoint& checkpoint, const image::ChunkReader& reader);

// Object -> the fd number it has in the process between exec and mapping:
// above every fd the process had, so none is disturbed.
std::map<ObjectId, int> shared_memory_fds(const ProcessState& process);

// The restore namespace's init, before any process of the tree exists
// (async-signal-safe): creates each segment with its saved id, through
// shm_next_id. Returns false when one cannot be made so.
bool create_sysv_segments(const std::vector<SysvSegment>& segments) noexcept;

// In the restored process: attaches the segment (made already, with its
// saved id) at the region's address; one attach covers all the mappings a
// segment was split into, so only its first one attaches.
void attach_sysv_segment(RestoreContext& ctx, const Region& r, std::uint64_t prot);

}  // namespace stasis
