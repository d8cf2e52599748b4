#include "image/chunk_codec.hpp"

#include "core/error.hpp"
#include "image/byte_shuffle.hpp"

#include <zstd_errors.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

namespace stasis::image {

namespace {

using Clock = std::chrono::steady_clock;

// A shuffled chunk starts with each plane's stored size, little-endian.
constexpr std::size_t plane_size_bytes = 4;

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void put_le32(std::byte* p, std::size_t v)
{
    for (std::size_t i = 0; i < plane_size_bytes; ++i) {
        p[i] = static_cast<std::byte>(v >> (8 * i));
    }
}

std::size_t get_le32(const std::byte* p)
{
    std::size_t v = 0;
    for (std::size_t i = 0; i < plane_size_bytes; ++i) {
        v |= std::to_integer<std::size_t>(p[i]) << (8 * i);
    }
    return v;
}

struct DctxFree {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread keeps a restore's parallel reads lock-free and
// allocation-free.
ZSTD_DCtx* thread_dctx()
{
    thread_local std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
    if (!dctx) {
        throw Error("cannot allocate a zstd decompression context");
    }
    return dctx.get();
}

// Grown, never shrunk: a vector's resize would clear each byte it adds back.
std::span<std::byte> grown_to(std::vector<std::byte>& buffer, std::size_t size)
{
    if (buffer.size() < size) {
        buffer.resize(size);
    }
    return std::span(buffer).first(size);
}

std::span<std::byte> thread_buffer(std::size_t size)
{
    thread_local std::vector<std::byte> buffer;
    return grown_to(buffer, size);
}

void decompress(std::span<const std::byte> stored, std::span<std::byte> out)
{
    const unsigned long long content = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) {
        throw ImageError("cannot be decompressed");
    }
    if (content != out.size()) {
        throw ImageError("decompresses to " + std::to_string(content) + " bytes, expected " +
                         std::to_string(out.size()));
    }
    const std::size_t n = ZSTD_decompressDCtx(thread_dctx(), out.data(), out.size(), stored.data(), stored.size());
    if (ZSTD_isError(n)) {
        throw ImageError(std::string("cannot be decompressed (") + ZSTD_getErrorName(n) + ")");
    }
    if (n != out.size()) {
        throw ImageError("decompresses to " + std::to_string(n) + " bytes, expected " + std::to_string(out.size()));
    }
}

void decode_planes(std::size_t width, std::span<const std::byte> stored, std::span<std::byte> out)
{
    const std::size_t elements = out.size() / width;
    const std::size_t header = width * plane_size_bytes;
    if (stored.size() < header) {
        throw ImageError("stored size " + std::to_string(stored.size()) + " is too short for its plane sizes");
    }
    const std::span<std::byte> shuffled = thread_buffer(out.size());
    std::size_t at = header;
    for (std::size_t k = 0; k < width; ++k) {
        const std::size_t size = get_le32(stored.data() + k * plane_size_bytes);
        if (size > stored.size() - at) {
            throw ImageError("plane " + std::to_string(k) + " of " + std::to_string(size) +
                             " bytes runs past the stored size " + std::to_string(stored.size()));
        }
        const std::span<std::byte> plane = shuffled.subspan(k * elements, elements);
        if (size == elements) {
            std::memcpy(plane.data(), stored.data() + at, size);
        } else {
            try {
                decompress(stored.subspan(at, size), plane);
            } catch (const ImageError& e) {
                throw ImageError("plane " + std::to_string(k) + " " + e.what());
            }
        }
        at += size;
    }
    const std::size_t tail = out.size() - width * elements;
    if (stored.size() - at != tail) {
        throw ImageError("stored size " + std::to_string(stored.size()) + " does not match its planes");
    }
    std::memcpy(shuffled.data() + width * elements, stored.data() + at, tail);
    unshuffle_bytes(shuffled, out, width);
}

}  // namespace

std::size_t shuffle_width(Codec codec)
{
    switch (codec) {
    case Codec::zstd_shuffle4:
        return 4;
    case Codec::zstd_shuffle8:
        return 8;
    case Codec::none:
    case Codec::zstd:
        break;
    }
    return 0;
}

ChunkEncoder::ChunkEncoder(int level) : level_(level), cctx_(ZSTD_createCCtx())
{
    if (!cctx_) {
        throw Error("cannot allocate a zstd compression context");
    }
}

std::size_t ChunkEncoder::encode(Encoding encoding, std::span<const std::byte> src, std::span<std::byte> out)
{
    planes_.clear();
    if (shuffle_width(encoding.codec) != 0) {
        return encode_planes(encoding, src, out);
    }
    const auto start = Clock::now();
    std::size_t z = compress(src, out);
    planes_.push_back({src.size(), z, seconds_since(start)});
    return z;
}

// zstd's size, or out.size() + 1 when the frame does not fit out.
std::size_t ChunkEncoder::compress(std::span<const std::byte> src, std::span<std::byte> out)
{
    const std::size_t z = ZSTD_compressCCtx(cctx_.get(), out.data(), out.size(), src.data(), src.size(), level_);
    if (ZSTD_isError(z)) {
        if (ZSTD_getErrorCode(z) == ZSTD_error_dstSize_tooSmall) {
            return out.size() + 1;
        }
        throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(z));
    }
    return z;
}

std::size_t ChunkEncoder::encode_planes(Encoding encoding, std::span<const std::byte> src, std::span<std::byte> out)
{
    const std::size_t width = shuffle_width(encoding.codec);
    const std::size_t elements = src.size() / width;
    const auto start = Clock::now();
    const std::span<std::byte> shuffled = grown_to(shuffled_, src.size());
    shuffle_bytes(src, shuffled, width);
    const double shuffle_share = seconds_since(start) / static_cast<double>(width);

    std::size_t at = width * plane_size_bytes;
    for (std::size_t k = 0; k < width; ++k) {
        const auto plane_start = Clock::now();
        const std::span<const std::byte> plane = shuffled.subspan(k * elements, elements);
        // A plane is compressed only into fewer bytes than it has: the
        // planes then never take more room than the chunk.
        std::size_t stored = elements;
        if (elements > 0 && (encoding.raw_planes & (1U << k)) == 0) {
            stored = std::min(elements, compress(plane, out.subspan(at, elements - 1)));
        }
        if (stored == elements) {
            std::memcpy(out.data() + at, plane.data(), elements);
        }
        put_le32(out.data() + k * plane_size_bytes, stored);
        planes_.push_back({elements, stored, shuffle_share + seconds_since(plane_start)});
        at += stored;
    }
    const std::size_t tail = src.size() - width * elements;
    std::memcpy(out.data() + at, src.data() + width * elements, tail);
    return at + tail;
}

void decode_chunk(Codec codec, std::span<const std::byte> stored, std::span<std::byte> out)
{
    if (const std::size_t width = shuffle_width(codec)) {
        decode_planes(width, stored, out);
    } else {
        decompress(stored, out);
    }
}

}  // namespace stasis::image
