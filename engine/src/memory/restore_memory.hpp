#pragma once
// The memory half of a restore: turn the freshly exec'd process's address
// space into the checkpointed one.
#include "image/chunk_reader.hpp"
#include "core/restore_context.hpp"
#include "image/checkpoint.hpp"

#include <vector>

namespace stasis {

// Called with the main thread at its exec stop. Maps the injection area,
// removes every mapping the exec made, moves the vDSO to its saved address,
// maps every saved region, fills it from the image (checking checksums),
// applies protections and advice, and sets the mm fields (brk, auxv, ...).
// The injection area stays until unmap_injection_area().
// forked_children: the processes that will be forked from this one
// (process/forked_children.hpp), whose saved regions the injection area
// they inherit must avoid too.
void rebuild_address_space(RestoreContext& ctx, const ProcessState& process, const image::ChunkReader& reader,
                           const std::vector<const ProcessState*>& forked_children);

void unmap_injection_area(RestoreContext& ctx);

// The steps rebuild_address_space takes, for a process forked from its
// restored parent (memory/inherit_memory.hpp).

// Regions that get data from the image are mapped writable first and given
// their saved protection afterwards. Shared memory was filled by stasis.
bool needs_fill(const Region& r);
// Maps r at its address with its advice (MADV_*), writable if it needs filling.
void map_region(RestoreContext& ctx, const Region& r);
void apply_advice(RestoreContext& ctx, const Region& r);
// Decompresses and copies the chunks into the process on all cores.
void fill_chunks(pid_t pid, const std::vector<const image::Chunk*>& chunks, const image::ChunkReader& reader);
// brk, stack, arguments, environment and auxv (PR_SET_MM_MAP).
void set_mm_fields(RestoreContext& ctx, const MmState& mm);

}  // namespace stasis
