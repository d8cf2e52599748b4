#pragma once
// How a chunk is stored, judged from a sample of it stored ahead with each
// codec: plain zstd, and the byte shuffles by 4 and by 8 (float and double
// arrays, which plain zstd shrinks little), these plane by plane.
//
// Without a write speed, the encoding that stores the sample smallest wins.
// With one (compression auto), the one that takes least time to compress
// and write, a chunk or plane that costs more time to compress than its
// write saves being stored as it is: the write time is judged from the
// writer's own direct writes so far, the other writers' load on the disk
// included; the compression time from the sample's, scaled by how long
// the whole chunks compressed so far took against what their samples
// foretold (zstd's fixed cost per call weighs more on a 4 KiB plane of a
// sample than on a 256 KiB plane of a chunk: unscaled, the samples
// foretold about twice the time, and auto stored floats as they are that
// compressing would have written sooner). So a fast disk shared by few workers gets the bytes that
// compress well (zero pages, sparse arrays, the exponents of smooth ones)
// compressed and the rest written as they are, while a slow file system, or
// many workers on one disk, get nearly everything compressed.
#include "image/chunk_codec.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace stasis::image {

class CodecChoice {
public:
    CodecChoice();

    // write_speed: bytes per second of the writer's direct writes so far;
    // 0 to store as small as it can (compression zstd; and auto while the
    // speed is unknown: before the first direct write, or on a file system
    // that takes none, where a write's time says nothing of the disk).
    // Codec::none: the chunk is better written as it is.
    Encoding choose(ChunkEncoder& encoder, std::span<const std::byte> chunk, double write_speed);

    // After the chunk choose() was asked about is encoded as it said: what
    // each of its planes took (ChunkEncoder::planes()).
    void learn(std::span<const PlaneCost> planes);

    // Large enough for zstd to find a chunk's redundancy and to tell which
    // codec suits it (on a heat kernel's floats, the codec a 16 KiB sample
    // picks stores the whole 1 MiB chunk within 1 % of the best one), small
    // enough that the three trials cost about 5 % of compressing the chunk.
    static constexpr std::size_t sample_size = std::size_t{16} << 10;

private:
    // Actual over foretold compression time, over the chunks so far.
    [[nodiscard]] double time_scale() const;

    std::vector<std::byte> scratch_;
    Encoding chosen_;
    std::vector<PlaneCost> chosen_trial_;  // the sample's planes, as the chosen codec stored them
    double predicted_seconds_ = 0;
    double actual_seconds_ = 0;
};

}  // namespace stasis::image
