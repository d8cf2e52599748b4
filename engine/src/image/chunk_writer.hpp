#pragma once
// Compresses and checksums page runs on worker threads, each worker appending
// to its own data file, so that dumping is limited by reading, not by zstd.
// A run the parent generation holds unchanged is borrowed instead.
#include "image/chunk.hpp"

#include <stasis/site_config.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace stasis::image {

class ChunkIndex;

struct WriterSettings {
    Compression compression = Compression::automatic;
    int level = 1;         // zstd level
    unsigned workers = 2;  // compressing threads, each with a data file of its own
    // The generation this one follows: a run whose chunk it holds unchanged
    // is borrowed from it, neither compressed nor written again.
    const ChunkIndex* parent = nullptr;
    // For a forked process, its parent process's chunks in this generation:
    // the pages they still share since the fork are stored once.
    const ChunkIndex* forked_from = nullptr;
};

class ChunkWriter {
public:
    // Data files are created as dir/<prefix>-<worker>.bin.
    ChunkWriter(const std::filesystem::path& dir, const WriterSettings& settings, const std::string& prefix = "pages");
    ~ChunkWriter();
    ChunkWriter(const ChunkWriter&) = delete;
    ChunkWriter& operator=(const ChunkWriter&) = delete;

    // Queues one run; blocks while too much data is already queued, so memory
    // stays bounded. Rethrows a worker's error (disk full, ...).
    void add(std::uint64_t vaddr, std::vector<std::byte> data);

    // Queues a run of size bytes that a worker reads itself: fill gets a
    // buffer of exactly size bytes (one a worker is done with, when there is
    // one: nothing is cleared or faulted in afresh) and fills it. Reading is
    // then spread over the workers too. fill runs on a worker thread; what it
    // throws fails the writer, as any worker's error.
    void add_read(std::uint64_t vaddr, std::size_t size, std::function<void(std::span<std::byte>)> fill);

    // Takes chunk, of a generation this one follows, as it is: its bytes are
    // known unchanged without reading them (memory/write_tracking.hpp).
    void add_unchanged(Chunk chunk);

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
