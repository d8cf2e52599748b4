#pragma once
#include "image/chunk.hpp"

#include <stasis/unique_fd.hpp>

#include <atomic>
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

    // Starts reading range.stored_size bytes at range.offset of range.file
    // into the page cache, without waiting for them (posix_fadvise
    // WILLNEED). Throws ImageError as read() does for a missing or short file.
    void read_ahead(const Chunk& range) const;

    // Bytes read() has taken from data files so far.
    [[nodiscard]] std::uint64_t stored_bytes_read() const { return stored_bytes_read_; }

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
    mutable std::atomic<std::uint64_t> stored_bytes_read_{0};
};

}  // namespace stasis::image
