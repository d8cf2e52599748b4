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
// Appends r's chunks that the process is filled with: all but those of
// shared memory, which stasis filled itself.
void add_chunks_to_fill(const Region& r, std::vector<const image::Chunk*>& chunks);
// The last steps, with every region mapped: closes the shared memory fds
// handed over, fills chunks into the process on all cores, gives each region
// i with opened[i] (mapped writable, or with another protection, for the
// fill) its saved protection, and sets the mm fields (brk, stack, arguments,
// environment and auxv).
void complete_address_space(RestoreContext& ctx, const ProcessState& process,
                            const std::vector<const image::Chunk*>& chunks, const image::ChunkReader& reader,
                            const std::vector<bool>& opened);

}  // namespace stasis
