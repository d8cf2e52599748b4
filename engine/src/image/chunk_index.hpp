#pragma once
// Chunks stored already, found by what they hold: a run with the same place
// (address or file offset), size and XXH3-64 as one of them is referred to
// instead of being stored again (docs/image-format.md, Page data).
#include "image/chunk.hpp"

#include <cstdint>
#include <map>
#include <tuple>

namespace stasis::image {

class ChunkIndex {
public:
    // The first chunk added at a place, size and checksum is the one found.
    void add(const Chunk& chunk);

    // The chunk of the same place, size and XXH3-64, if any. Both the place
    // and the checksum must agree, so other bytes are taken for a stored
    // chunk's only if they have its very checksum (odds of 2^-64 per chunk).
    [[nodiscard]] const Chunk* find(std::uint64_t vaddr, std::uint64_t size, std::uint64_t xxh3) const;

    [[nodiscard]] bool empty() const { return chunks_.empty(); }

private:
    std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, Chunk> chunks_;
};

}  // namespace stasis::image
