#include "image/chunk_index.hpp"

namespace stasis::image {

void ChunkIndex::add(const Chunk& chunk)
{
    chunks_.try_emplace({chunk.vaddr, chunk.size, chunk.xxh3}, chunk);
}

const Chunk* ChunkIndex::find(std::uint64_t vaddr, std::uint64_t size, std::uint64_t xxh3) const
{
    auto it = chunks_.find({vaddr, size, xxh3});
    return it == chunks_.end() ? nullptr : &it->second;
}

}  // namespace stasis::image
