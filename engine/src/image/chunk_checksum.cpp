#include "image/chunk_checksum.hpp"

#include <xxhash.h>

namespace stasis::image {

std::uint64_t chunk_checksum(std::span<const std::byte> bytes)
{
    static const bool avx2 = __builtin_cpu_supports("avx2") != 0;
    return avx2 ? xxh3_avx2(bytes.data(), bytes.size()) : XXH3_64bits(bytes.data(), bytes.size());
}

}  // namespace stasis::image
