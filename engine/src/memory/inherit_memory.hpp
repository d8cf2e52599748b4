#pragma once
// The memory half of restoring a process forked from its restored parent
// (process/forked_children.hpp): the fork gave it the parent's address
// space, sharing every page; only what differs is changed, so the pages it
// shared with its parent at the checkpoint are shared again.
#include "core/restore_context.hpp"
#include "image/checkpoint.hpp"
#include "image/chunk_reader.hpp"

namespace stasis {

// ctx: the child's main thread, just forked, with the injection area it
// inherited. The parent's mappings the child did not keep are unmapped, its
// own are mapped and filled; in a mapping it inherited, its chunks that are
// not the parent's are written, and the pages the parent had data in and
// it had not are dropped (back to zeros, or to the file). Then
// protections, advice and mm fields are the child's.
void inherit_address_space(RestoreContext& ctx, const ProcessState& parent, const ProcessState& child,
                           const image::ChunkReader& reader);

}  // namespace stasis
