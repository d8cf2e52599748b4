#pragma once
#include "image/chunk.hpp"

#include <stasis/unique_fd.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>

namespace stasis::image {

// Reads chunks back from one generation directory (and the older ones it
// borrows from), verifying each checksum. Safe to use from several threads
// at once. Each data file is opened once and kept open.
class ChunkReader {
public:
    explicit ChunkReader(std::filesystem::path dir);
    // Fills out (exactly chunk.size bytes). Throws ImageError naming the chunk
    // (file, offset, vaddr) when it is truncated, undecodable or its checksum
    // does not match.
    void read(const Chunk& chunk, std::span<std::byte> out) const;

private:
    struct DataFile {
        UniqueFd fd;
        std::uint64_t size = 0;
    };
    // Opens chunk.file the first time; throws ImageError when it is missing
    // or too short for the chunk.
    const DataFile& data_file(const Chunk& chunk) const;

    std::filesystem::path dir_;
    mutable std::mutex mu_;
    mutable std::map<std::string, DataFile> files_;
};

}  // namespace stasis::image
