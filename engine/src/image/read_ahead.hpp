#pragma once
// Reads an image's data files ahead of a restore, so that the disk streams
// while stasis spawns, maps and fills one process after another. Without it
// each process's data was read only once its turn came: its first reads
// found a cold file and a small read-ahead window, and the disk idled while
// the next process was spawned and mapped.
#include "image/chunk.hpp"
#include "image/chunk_reader.hpp"

#include <cstdint>
#include <thread>
#include <vector>

namespace stasis::image {

class ReadAhead {
public:
    // Reads the chunks' stored bytes in the order given, on a thread of its
    // own, at most window bytes ahead of what reader has read, so that the
    // page cache holds no more than that much that the restore has yet to
    // take. Errors stop it quietly: the restore's own read reports them.
    ReadAhead(const ChunkReader& reader, const std::vector<const Chunk*>& chunks, std::uint64_t window);
    ~ReadAhead() = default;  // the thread stops and is joined
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The bytes of each range: large enough for the disk to stream, small
    // enough that the files a process's data is spread over advance together.
    static constexpr std::uint64_t range_size = std::uint64_t{8} << 20;

private:
    void run(const std::stop_token& stop, const std::vector<Chunk>& ranges, std::uint64_t window) const;

    const ChunkReader& reader_;
    std::jthread thread_;
};

// The chunks' stored bytes as ranges of at most range_size bytes, contiguous
// chunks of a file merged, in the order of each range's first chunk.
std::vector<Chunk> read_ahead_ranges(const std::vector<const Chunk*>& chunks);

}  // namespace stasis::image
