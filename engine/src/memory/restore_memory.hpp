#pragma once
// The memory half of a restore: turn the freshly exec'd process's address
// space into the checkpointed one.
#include "image/chunk_reader.hpp"
#include "core/restore_context.hpp"
#include "image/checkpoint.hpp"

namespace stasis {

// Called with the main thread at its exec stop. Maps the injection area,
// removes every mapping the exec made, moves the vDSO to its saved address,
// maps every saved region, fills it from the image (checking checksums),
// applies protections and advice, and sets the mm fields (brk, auxv, ...).
// The injection area stays until unmap_injection_area().
void rebuild_address_space(RestoreContext& ctx, const ProcessState& process, const image::ChunkReader& reader);

void unmap_injection_area(RestoreContext& ctx);

}  // namespace stasis
