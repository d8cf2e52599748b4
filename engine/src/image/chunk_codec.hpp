#pragma once
// How a chunk's bytes become its stored bytes and back, for every codec but
// none. zstd: one zstd frame of the bytes. zstd-shuffle4 and zstd-shuffle8:
// the bytes byte-shuffled into planes (image/byte_shuffle.hpp), each plane
// stored on its own, as one zstd frame or as it is: in a float array the
// exponent bytes shrink to nothing, fast, while zstd spends most of its
// time on mantissa bytes it shrinks little or not at all, and a fast disk
// takes those sooner as they are (docs/image-format.md has the layout).
#include <stasis/image.hpp>

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace stasis::image {

// The element width a codec shuffles by, and so its number of planes; 0 for
// one that does not shuffle.
std::size_t shuffle_width(Codec codec);

// How one chunk is to be stored.
struct Encoding {
    Codec codec = Codec::none;
    std::uint8_t raw_planes = 0;  // shuffling codecs: bit k set, plane k is stored as it is
};

// What storing one plane took; a chunk that is not shuffled is one plane.
struct PlaneCost {
    std::size_t size = 0;    // bytes of the plane
    std::size_t stored = 0;  // bytes it was stored in
    double seconds = 0;      // time it took, the shuffle's share included
};

// One per thread: it holds a zstd context and a buffer for shuffled bytes.
class ChunkEncoder {
public:
    // Throws Error if zstd cannot allocate its context.
    explicit ChunkEncoder(int level);

    // Stores src with encoding (codec not none) into out, which must hold
    // ZSTD_compressBound(src.size()) bytes; returns the stored size, which
    // is src.size() or more when the encoding does not shrink src. Throws
    // Error.
    std::size_t encode(Encoding encoding, std::span<const std::byte> src, std::span<std::byte> out);

    // The planes of the last encode, in order.
    [[nodiscard]] std::span<const PlaneCost> planes() const { return planes_; }

private:
    struct CctxFree {
        void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
    };

    std::size_t compress(std::span<const std::byte> src, std::span<std::byte> out);
    std::size_t encode_planes(Encoding encoding, std::span<const std::byte> src, std::span<std::byte> out);

    int level_;
    std::unique_ptr<ZSTD_CCtx, CctxFree> cctx_;
    std::vector<std::byte> shuffled_;
    std::vector<PlaneCost> planes_;
};

// Decodes stored, stored with codec (not none), into out, the chunk's size.
// Throws ImageError saying what is wrong with the stored bytes.
void decode_chunk(Codec codec, std::span<const std::byte> stored, std::span<std::byte> out);

}  // namespace stasis::image
