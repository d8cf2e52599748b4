#pragma once
#include "image/chunk.hpp"

#include <cstddef>
#include <filesystem>
#include <span>

namespace stasis::image {

// Reads chunks back from one generation directory, verifying each checksum.
// Safe to use from several threads at once.
class ChunkReader {
public:
    explicit ChunkReader(std::filesystem::path dir);
    // Fills out (exactly chunk.size bytes). Throws ImageError naming the chunk
    // (file, offset, vaddr) when it is truncated, undecodable or its checksum
    // does not match.
    void read(const Chunk& chunk, std::span<std::byte> out) const;

private:
    std::filesystem::path dir_;
};

}  // namespace stasis::image
