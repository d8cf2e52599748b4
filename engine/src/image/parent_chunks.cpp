#include "image/parent_chunks.hpp"

#include "image/checkpoint_chunks.hpp"

namespace stasis::image {

ParentChunks::ParentChunks(const Checkpoint& parent, const std::string& parent_name) : name_(parent_name)
{
    for_each_chunk(parent, [this](const Chunk& chunk) { add(chunk); });
}

void ParentChunks::add(const Chunk& chunk)
{
    Chunk seen = as_seen_from_sibling(chunk, name_);
    chunks_.try_emplace({seen.vaddr, seen.size, seen.xxh3}, std::move(seen));
}

const Chunk* ParentChunks::find(std::uint64_t vaddr, std::uint64_t size, std::uint64_t xxh3) const
{
    auto it = chunks_.find({vaddr, size, xxh3});
    return it == chunks_.end() ? nullptr : &it->second;
}

}  // namespace stasis::image
