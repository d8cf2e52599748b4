#include "image/parent_chunks.hpp"

#include "image/checkpoint_chunks.hpp"

namespace stasis::image {

ParentChunks::ParentChunks(const Checkpoint& parent, const std::string& parent_name) : name_(parent_name)
{
    for_each_chunk(parent, [this](const Chunk& chunk) { add(as_seen_from_sibling(chunk, name_)); });
}

}  // namespace stasis::image
