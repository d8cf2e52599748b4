#pragma once
// Compresses and checksums page runs on worker threads, each worker appending
// to its own data file, so that dumping is limited by reading, not by zstd.
// A run the parent generation holds unchanged is borrowed instead.
#include "image/chunk.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace stasis::image {

class ParentChunks;

struct WriterSettings {
    Codec codec = Codec::zstd;
    int level = 1;         // zstd level
    unsigned workers = 2;  // compressing threads, each with a data file of its own
    // The generation this one follows: a run whose chunk it holds unchanged
    // is borrowed from it, neither compressed nor written again.
    const ParentChunks* parent = nullptr;
};

class ChunkWriter {
public:
    // Data files are created as dir/<prefix>-<worker>.bin.
    ChunkWriter(const std::filesystem::path& dir, const WriterSettings& settings, const std::string& prefix = "pages");
    ~ChunkWriter();
    ChunkWriter(const ChunkWriter&) = delete;
    ChunkWriter& operator=(const ChunkWriter&) = delete;

    // A buffer of size bytes (contents unspecified) for the next run: one a
    // worker is done with when there is one, so that dumping does not clear
    // and fault in fresh memory for every chunk.
    std::vector<std::byte> buffer(std::size_t size);

    // Queues one run; blocks while too much data is already queued, so memory
    // stays bounded. Rethrows a worker's error (disk full, ...).
    void add(std::uint64_t vaddr, std::vector<std::byte> data);

    // Waits for all runs and returns every chunk sorted by vaddr. Throws the
    // first error any worker hit. The data files are not synced yet
    // (GenerationWriter::sync), so that a job may run on while its image
    // becomes durable.
    std::vector<Chunk> finish();

    // Data file names written so far (relative to dir).
    [[nodiscard]] std::vector<std::string> files() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stasis::image
