#pragma once
// Whether compressing a chunk makes the dump faster (compression "auto"): it
// does when the write time the compression saves exceeds the time it takes.
// The saving is judged from a sample of the chunk compressed ahead, the
// write time from the writer's own direct writes so far, the other writers'
// load on the disk included. So a fast disk shared by few workers gets the
// chunks that compress well (zero pages, sparse arrays) compressed and the
// rest written as they are, while a slow file system, or many workers on
// one disk, get nearly everything compressed.
#include <zstd.h>

#include <cstddef>
#include <span>
#include <vector>

namespace stasis::image {

class CompressionPayoff {
public:
    explicit CompressionPayoff(int level);

    // write_speed: bytes per second of the writer's direct writes so far;
    // 0 while unknown (before its first one, or a file system that takes no
    // direct writes, where a write's time says nothing of the disk), and then
    // compressing pays, as with compression zstd.
    bool pays(ZSTD_CCtx* cctx, std::span<const std::byte> chunk, double write_speed);

    // Large enough for zstd to find a chunk's redundancy (a 32 KiB sample of
    // float arrays compresses as the whole MiB does), small enough to cost
    // about 3 % of compressing the chunk.
    static constexpr std::size_t sample_size = std::size_t{32} << 10;

private:
    int level_;
    std::vector<std::byte> scratch_;
};

}  // namespace stasis::image
